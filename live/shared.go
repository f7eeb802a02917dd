package live

// shared is one shared query: the window of a Query and every subscription to it. All its
// subscribers hold the same result (shown), so a change is evaluated once and its delta is the
// same for all of them.
type shared[S comparable] struct {
	q     Query
	win   window
	shown map[string]Stamp // what every active subscriber holds: the visible window as last sent
	subs  map[S]struct{}   // active: their snapshot is sent
	list  []S              // subs, for delivery
	// pending subscribers wait for their own load of a query that is not in memory yet.
	pending map[S]struct{}
	loaded  bool
	refill  *Read[S] // the refill in flight, at most one
	dead    bool     // no subscriber is left: reads that return find nothing to do
	mark    uint64   // the collection's routing pass that last reached this query
	// touched lists the ids changed since the last flush; ops counts the window's structural
	// changes meanwhile, so that flush knows how far rows may have crossed the limit.
	touched []string
	ops     int
}

func (s *shared[S]) limit() int { return s.q.Limit }

// apply brings one change into the window. It reports whether it was evaluated at all (the
// query was in memory).
func (s *shared[S]) apply(c Change) bool {
	if !s.loaded {
		return false
	}
	held := s.win.byID[c.ID]
	if c.Row == nil {
		if held == nil || (c.Removed != nil && held.Stamp().NewerThan(*c.Removed)) {
			return true
		}
		s.win.remove(c.ID)
		s.touch(c.ID)
		return true
	}
	if held != nil && !c.Row.Stamp().NewerThan(held.Stamp()) {
		return true // an older or the same version: versions only grow
	}
	if held != nil {
		s.win.remove(c.ID)
	}
	if s.q.Matches(c.Row.Doc) {
		// A row pushed out past the cap may have been visible before this batch began (a batch
		// can push a row several places down).
		if dropped := s.win.insert(c.Row); dropped != "" && dropped != c.ID {
			s.touched = append(s.touched, dropped)
		}
	}
	if held != nil || s.win.byID[c.ID] != nil {
		s.touch(c.ID)
	}
	return true
}

func (s *shared[S]) touch(id string) {
	s.touched = append(s.touched, id)
	s.ops += 3 // a remove, an insert and an eviction at most
}

// visible is the window as subscribers see it: its first limit rows.
func (s *shared[S]) visible() []*Row {
	return s.win.rows[:min(s.limit(), len(s.win.rows))]
}

// visibleRow is id's row when it is within the limit.
func (s *shared[S]) visibleRow(id string) *Row {
	if i, ok := s.win.position(id); ok && i < s.limit() {
		return s.win.byID[id]
	}
	return nil
}

// flush returns what subscribers must be told of the changes since the last flush. Only touched
// ids and rows near the limit can have entered or left the visible window: each structural
// change moves any other row by one place at most.
func (s *shared[S]) flush() Delta {
	if len(s.touched) == 0 {
		return Delta{}
	}
	ids := s.touched
	lo, hi := max(0, s.limit()-s.ops), min(len(s.win.rows), s.limit()+s.ops)
	for _, r := range s.win.rows[min(lo, hi):hi] {
		ids = append(ids, r.Doc.ID)
	}
	d := s.diff(ids)
	s.touched, s.ops = s.touched[:0], 0
	return d
}

// flushAll compares the whole visible window with what was shown (after a reset).
func (s *shared[S]) flushAll() Delta {
	ids := make([]string, 0, len(s.shown)+len(s.visible()))
	for _, r := range s.visible() {
		ids = append(ids, r.Doc.ID)
	}
	for id := range s.shown {
		ids = append(ids, id)
	}
	d := s.diff(ids)
	s.touched, s.ops = s.touched[:0], 0
	return d
}

// diff updates shown for ids and returns the difference. A row older than the version shown
// is not sent: versions only grow.
func (s *shared[S]) diff(ids []string) Delta {
	var d Delta
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		r := s.visibleRow(id)
		old, shown := s.shown[id]
		switch {
		case r != nil && (!shown || r.Stamp().NewerThan(old)):
			s.shown[id] = r.Stamp()
			d.Upserts = append(d.Upserts, r)
		case r == nil && shown:
			delete(s.shown, id)
			d.Removes = append(d.Removes, id)
		}
	}
	return d
}

// short reports whether the window has fewer rows than its limit while the collection may hold
// more: the margin is spent and only SQL can tell what comes next.
func (s *shared[S]) short() bool {
	return s.loaded && !s.win.complete && len(s.win.rows) < s.limit()
}

func (s *shared[S]) relist() {
	s.list = s.list[:0]
	for sub := range s.subs {
		s.list = append(s.list, sub)
	}
}
