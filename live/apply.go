package live

import (
	"maps"
	"slices"
	"strings"
)

// BeginChanges opens the read of changed records of room's collection: the caller fetches their
// current rows and hands them to ApplyChanges. nil when no query here reads the collection.
func (e *Engine[S]) BeginChanges(roomName, collection string) *Read[S] {
	r := e.lock(roomName, false)
	if r == nil {
		return nil
	}
	defer e.unlock(r)
	c := r.colls[collection]
	if c == nil {
		return nil
	}
	var none S
	return e.begin(r, c, nil, readChanges, none)
}

// ApplyChanges applies the changed records rd fetched and delivers the deltas. It applies
// nothing and returns false when the fetch may have been overtaken in a way that the rows
// cannot tell (a record the fetch found missing was written since by this replica, or the
// journal overflowed): the caller fetches again with a new read. Refills are the reads the
// changes made necessary.
func (e *Engine[S]) ApplyChanges(rd *Read[S], changes []Change) (applied bool, refills []*Read[S]) {
	r := rd.room
	r.mu.Lock()
	defer e.unlock(r)
	since, stale := rd.coll.journal.end(rd.start, rd.gen)
	if stale && !rd.insist {
		return false, nil
	}
	fetched := make(map[string]Change, len(changes))
	for _, ch := range changes {
		fetched[ch.ID] = ch
	}
	if !rd.insist {
		for _, j := range since {
			if f, ok := fetched[j.ID]; ok && f.Row == nil && j.Row != nil {
				return false, nil
			}
		}
	}
	touched := map[*shared[S]]struct{}{}
	for _, ch := range changes {
		rd.coll.journal.record(ch)
		e.applyAll(rd.coll, ch, touched)
	}
	// What this replica applied while the fetch ran is applied again on top where it is newer
	// than what the fetch read.
	for _, j := range since {
		if f, ok := fetched[j.ID]; ok && overtakes(j, f) {
			e.applyAll(rd.coll, j, touched)
		}
	}
	e.dropCollectionIfIdle(r, rd.coll)
	return true, e.deliver(r, rd.coll, touched)
}

// ApplyOwn applies a write this replica made (read-your-writes: the caller acknowledges it
// only after this and its refills return) and delivers the deltas. change is called only when a
// query here reads the collection: most writes have no watcher on their own replica, and
// building a row (its document and wire body) is most of what this costs.
func (e *Engine[S]) ApplyOwn(roomName, collection string, change func() Change) (refills []*Read[S]) {
	r := e.lock(roomName, false)
	if r == nil {
		return nil
	}
	defer e.unlock(r)
	c := r.colls[collection]
	if c == nil {
		return nil
	}
	ch := change()
	c.journal.record(ch)
	touched := map[*shared[S]]struct{}{}
	e.applyAll(c, ch, touched)
	return e.deliver(r, c, touched)
}

// applyAll applies a change to every query it can concern.
func (e *Engine[S]) applyAll(c *collection[S], ch Change, touched map[*shared[S]]struct{}) {
	c.route(ch, func(s *shared[S]) {
		if s.apply(ch) {
			e.stats.evaluations.Add(1)
			touched[s] = struct{}{}
		}
	})
}

// deliver sends every touched query's delta and opens the refills windows now need.
func (e *Engine[S]) deliver(r *room[S], c *collection[S], touched map[*shared[S]]struct{}) (refills []*Read[S]) {
	// In the order of their keys: the same changes make the same deliveries and reads, run
	// after run (a model test's seed reproduces it).
	order := make([]*shared[S], 0, len(touched))
	for s := range touched {
		order = append(order, s)
	}
	slices.SortFunc(order, func(a, b *shared[S]) int { return strings.Compare(a.q.Key(), b.q.Key()) })
	for _, s := range order {
		if d := s.flush(); !d.Empty() && len(s.list) > 0 {
			e.sink.Changes(s.list, d)
		}
		if s.short() && s.refill == nil && !s.dead {
			var none S
			s.refill = e.begin(r, c, s, readRefill, none)
			e.stats.refills.Add(1)
			refills = append(refills, s.refill)
		}
	}
	return refills
}

// Install hands back a query read: rd's query's first rows (rd.Limit of them, or fewer and
// complete when there are no more). The window becomes them, with every change applied since
// the read began on top; subscribers get the difference, a loading subscriber its snapshot.
// It returns the reads still needed: a refill, or rd again (anew) when it went stale.
func (e *Engine[S]) Install(rd *Read[S], rows []*Row, complete bool) (more []*Read[S]) {
	r, s := rd.room, rd.q
	r.mu.Lock()
	defer e.unlock(r)
	since, stale := rd.coll.journal.end(rd.start, rd.gen)
	defer e.dropCollectionIfIdle(r, rd.coll)
	if rd.kind == readRefill && s.refill == rd {
		s.refill = nil
	}
	if s.dead {
		return nil
	}
	if _, waiting := s.pending[rd.sub]; rd.kind == readLoad && !waiting {
		return nil // the subscriber left while its load ran
	}
	if stale {
		again := e.begin(r, rd.coll, s, rd.kind, rd.sub)
		if rd.kind == readRefill {
			s.refill = again
		}
		return []*Read[S]{again}
	}
	if rd.kind != readLoad || !s.loaded {
		e.install(s, rows, complete, since)
	}
	if rd.kind == readLoad {
		delete(s.pending, rd.sub)
		s.subs[rd.sub] = struct{}{}
		s.relist()
		e.sink.Snapshot(rd.sub, s.visible())
	}
	return e.deliver(r, rd.coll, map[*shared[S]]struct{}{s: {}})
}

// install resets s's window to rows, applies the journal since the read began, and sends
// subscribers the difference.
func (e *Engine[S]) install(s *shared[S], rows []*Row, complete bool, since []Change) {
	e.stats.loads.Add(1)
	s.win.reset(rows, complete)
	s.loaded = true
	known := make(map[string]Stamp, len(rows)) // the latest version known of each record
	for _, row := range rows {
		known[row.Doc.ID] = row.Stamp()
	}
	// Entries are in the order the engine learned them: a row after a removal is the later
	// state, whatever version the read saw; between rows, versions decide.
	for _, j := range since {
		if j.Row == nil {
			if last, ok := known[j.ID]; ok && j.Removed != nil && last.NewerThan(*j.Removed) {
				continue // a later version than the one removed is known
			}
			delete(known, j.ID)
			s.apply(j)
			continue
		}
		if last, ok := known[j.ID]; ok && !j.Row.Stamp().NewerThan(last) {
			continue // the read, or an entry before, had this version or a later one
		}
		known[j.ID] = j.Row.Stamp()
		s.apply(j)
	}
	if d := s.flushAll(); !d.Empty() && len(s.list) > 0 {
		e.sink.Changes(s.list, d)
	}
}

// Abort hands back a read that failed. A load's subscriber is dropped (its subscribe fails).
// After a failed refill or reset the window can no longer be trusted: the engine forgets it and
// its active subscribers, and returns them (the caller ends their subscriptions; their clients
// subscribe again); subscribers still waiting for a load keep waiting and load it afresh.
func (e *Engine[S]) Abort(rd *Read[S]) (lost []S) {
	r := rd.room
	r.mu.Lock()
	defer e.unlock(r)
	rd.coll.journal.end(rd.start, rd.gen)
	defer e.dropCollectionIfIdle(r, rd.coll)
	s := rd.q
	if s == nil || s.dead {
		return nil
	}
	if rd.kind == readLoad {
		if _, ok := s.pending[rd.sub]; ok {
			delete(s.pending, rd.sub)
			e.stats.subscribers.Add(-1)
			e.dropIfUnused(r, rd.coll, s)
		}
		return nil
	}
	if s.refill == rd {
		s.refill = nil
	}
	if !s.loaded {
		return nil // an earlier failure forgot it already
	}
	lost = append(lost, s.list...)
	e.stats.subscribers.Add(-int64(len(lost)))
	s.subs, s.list = map[S]struct{}{}, nil
	s.loaded, s.shown = false, map[string]Stamp{}
	s.win.clear()
	e.dropIfUnused(r, rd.coll, s)
	return lost
}

func (e *Engine[S]) dropCollectionIfIdle(r *room[S], c *collection[S]) {
	if len(c.queries) == 0 && len(c.journal.open) == 0 {
		for name, cc := range r.colls {
			if cc == c {
				delete(r.colls, name)
			}
		}
	}
}

// ResetAll returns a reset read for every query in memory: after notifications were lost,
// anything may have changed, and each shared query's SQL runs once for all its subscribers.
// Reads in flight go stale (Install asks for them again, ApplyChanges for a new fetch).
func (e *Engine[S]) ResetAll() []*Read[S] {
	e.mu.Lock()
	rooms := slices.Sorted(maps.Keys(e.rooms))
	e.mu.Unlock()
	var out []*Read[S]
	for _, name := range rooms {
		out = append(out, e.ResetRoom(name)...)
	}
	return out
}

// ResetRoom is ResetAll for one room (a fetch of its changes failed).
func (e *Engine[S]) ResetRoom(roomName string) []*Read[S] {
	r := e.lock(roomName, false)
	if r == nil {
		return nil
	}
	defer e.unlock(r)
	var out []*Read[S]
	var none S
	for _, cname := range slices.Sorted(maps.Keys(r.colls)) {
		c := r.colls[cname]
		c.journal.invalidate() // reads in flight may miss what was lost: they run again
		for _, key := range slices.Sorted(maps.Keys(c.queries)) {
			if s := c.queries[key]; s.loaded {
				out = append(out, e.begin(r, c, s, readReset, none))
			}
		}
	}
	return out
}

// overtakes reports whether j, a change applied while a fetch ran, is newer than f, what the
// fetch read of the same record.
func overtakes(j, f Change) bool {
	switch {
	case f.Row == nil:
		return j.Row != nil // only when insisting: a write that may have followed the removal
	case j.Row != nil:
		return j.Row.Stamp().NewerThan(f.Row.Stamp())
	}
	return j.Removed == nil || !f.Row.Stamp().NewerThan(*j.Removed)
}
