package live

import "github.com/recordroom/recordroom/filter"

// collection is a room's collection as the engine sees it: its shared queries, indexed so that
// a changed record reaches only the queries it could be in.
type collection[S comparable] struct {
	queries map[string]*shared[S] // by Query.Key
	// eq indexes queries by one equality constraint of their where-object (the one with the
	// fewest values); scan holds the queries without one: every changed row is matched
	// against them.
	eq   map[string]*eqIndex[S] // by field
	scan map[*shared[S]]struct{}
	// holders lists, per record id, the queries whose windows hold it: a record that changes
	// so that it no longer matches reaches them whatever its new values.
	holders map[string]map[*shared[S]]struct{}
	journal journal
	pass    uint64 // routing passes, to visit each query once per change
}

type eqIndex[S comparable] struct {
	eq    filter.Equality // the field's constraint as one query wrote it: KeyOf reads any doc
	byKey map[string]map[*shared[S]]struct{}
}

func newCollection[S comparable]() *collection[S] {
	return &collection[S]{queries: map[string]*shared[S]{}, eq: map[string]*eqIndex[S]{},
		scan: map[*shared[S]]struct{}{}, holders: map[string]map[*shared[S]]struct{}{}}
}

// indexEquality is the constraint a query is indexed by; false: it goes on the scan list.
func indexEquality(q Query) (filter.Equality, bool) {
	var best filter.Equality
	found := false
	for _, e := range q.Where.Equalities() {
		if !found || len(e.Keys) < len(best.Keys) {
			best, found = e, true
		}
	}
	return best, found
}

func (c *collection[S]) add(s *shared[S]) {
	c.queries[s.q.Key()] = s
	e, ok := indexEquality(s.q)
	if !ok {
		c.scan[s] = struct{}{}
		return
	}
	ix := c.eq[e.Field]
	if ix == nil {
		ix = &eqIndex[S]{eq: e, byKey: map[string]map[*shared[S]]struct{}{}}
		c.eq[e.Field] = ix
	}
	for _, k := range e.Keys {
		if ix.byKey[k] == nil {
			ix.byKey[k] = map[*shared[S]]struct{}{}
		}
		ix.byKey[k][s] = struct{}{}
	}
}

func (c *collection[S]) drop(s *shared[S]) {
	delete(c.queries, s.q.Key())
	s.win.clear()
	e, ok := indexEquality(s.q)
	if !ok {
		delete(c.scan, s)
		return
	}
	ix := c.eq[e.Field]
	for _, k := range e.Keys {
		delete(ix.byKey[k], s)
		if len(ix.byKey[k]) == 0 {
			delete(ix.byKey, k)
		}
	}
	if len(ix.byKey) == 0 {
		delete(c.eq, e.Field)
	}
}

// hold keeps the holder index; windows call it.
func (c *collection[S]) hold(s *shared[S], id string, held bool) {
	hs := c.holders[id]
	if held {
		if hs == nil {
			hs = map[*shared[S]]struct{}{}
			c.holders[id] = hs
		}
		hs[s] = struct{}{}
		return
	}
	delete(hs, s)
	if len(hs) == 0 {
		delete(c.holders, id)
	}
}

// route calls visit once for every query a change can concern: those holding the record, and,
// for a row, those whose equality constraint its values meet and the scan list.
func (c *collection[S]) route(ch Change, visit func(*shared[S])) {
	c.pass++
	once := func(s *shared[S]) {
		if s.mark != c.pass {
			s.mark = c.pass
			visit(s)
		}
	}
	for s := range c.holders[ch.ID] {
		once(s)
	}
	if ch.Row == nil {
		return
	}
	for s := range c.scan {
		once(s)
	}
	for _, ix := range c.eq {
		if k, ok := ix.eq.KeyOf(ch.Row.Doc); ok {
			for s := range ix.byKey[k] {
				once(s)
			}
		}
	}
}
