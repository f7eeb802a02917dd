package live

import "sync"

// Sink receives what the engine decides. Its methods run while the engine holds the room's
// lock, in the order the room's changes were applied: they must queue and return (never block
// on a socket) and must not call the engine. Snapshot runs on the goroutine of the call that
// made the subscriber's snapshot ready (Join, or the Install of its load).
type Sink[S comparable] interface {
	// Snapshot gives a new subscriber its query's visible window; changes follow.
	Snapshot(sub S, rows []*Row)
	// Changes gives every subscriber of one shared query the same delta. subs and d belong to
	// the engine: read them during the call only.
	Changes(subs []S, d Delta)
}

// Options tune an Engine; zero values take the defaults.
type Options struct {
	// MaxMargin bounds the rows a window keeps past its limit, to replace rows that leave
	// without SQL: the margin is min(limit, MaxMargin). Default 100.
	MaxMargin int
	// MaxJournal bounds the changes kept for reads in flight, per collection (default 100000).
	MaxJournal int
}

// Engine is the live-query engine of one replica: changed rows in, per-subscription deltas out.
// It runs no SQL and touches no socket; where memory cannot decide, it returns a Read for its
// caller to run. Rooms are independent: each has its own lock.
type Engine[S comparable] struct {
	sink  Sink[S]
	opts  Options
	mu    sync.Mutex
	rooms map[string]*room[S]
	stats counters
}

type room[S comparable] struct {
	mu    sync.Mutex
	name  string
	colls map[string]*collection[S]
	dead  bool // dropped from the engine: look it up again
}

// New makes an engine delivering to sink.
func New[S comparable](sink Sink[S], opts Options) *Engine[S] {
	if opts.MaxMargin <= 0 {
		opts.MaxMargin = 100
	}
	if opts.MaxJournal <= 0 {
		opts.MaxJournal = 100000
	}
	return &Engine[S]{sink: sink, opts: opts, rooms: map[string]*room[S]{}}
}

// lock returns the room, locked, creating it when create is set (nil otherwise when missing).
func (e *Engine[S]) lock(name string, create bool) *room[S] {
	for {
		e.mu.Lock()
		r := e.rooms[name]
		if r == nil && create {
			r = &room[S]{name: name, colls: map[string]*collection[S]{}}
			e.rooms[name] = r
		}
		e.mu.Unlock()
		if r == nil {
			return nil
		}
		r.mu.Lock()
		if !r.dead {
			return r
		}
		r.mu.Unlock()
	}
}

// unlock releases a room, dropping it from the engine when it holds nothing.
func (e *Engine[S]) unlock(r *room[S]) {
	if len(r.colls) > 0 {
		r.mu.Unlock()
		return
	}
	r.dead = true
	r.mu.Unlock()
	e.mu.Lock()
	if e.rooms[r.name] == r {
		delete(e.rooms, r.name)
	}
	e.mu.Unlock()
}

// Join subscribes sub to q in room. When q's window is in memory (another subscriber shares the
// query), the sink gets sub's snapshot before Join returns, and Join returns nil. Otherwise it
// returns the Read that loads the query; sub's snapshot follows its Install.
func (e *Engine[S]) Join(roomName string, q Query, sub S) *Read[S] {
	r := e.lock(roomName, true)
	defer e.unlock(r)
	c := r.colls[q.Collection]
	if c == nil {
		c = newCollection[S]()
		c.journal.max = e.opts.MaxJournal
		r.colls[q.Collection] = c
	}
	s := c.queries[q.Key()]
	if s == nil {
		s = e.newShared(c, q)
		c.add(s)
		e.stats.queries.Add(1)
	}
	e.stats.subscribers.Add(1)
	if s.loaded {
		s.subs[sub] = struct{}{}
		s.relist()
		e.sink.Snapshot(sub, s.visible())
		return nil
	}
	s.pending[sub] = struct{}{}
	return e.begin(r, c, s, readLoad, sub)
}

func (e *Engine[S]) newShared(c *collection[S], q Query) *shared[S] {
	s := &shared[S]{q: q, shown: map[string]Stamp{}, subs: map[S]struct{}{}, pending: map[S]struct{}{}}
	s.win = window{order: q.Order, cap: q.Limit + min(q.Limit, e.opts.MaxMargin), byID: map[string]*Row{},
		hold: func(id string, held bool) {
			c.hold(s, id, held)
			if held {
				e.stats.entries.Add(1)
			} else {
				e.stats.entries.Add(-1)
			}
		}}
	return s
}

func (e *Engine[S]) begin(r *room[S], c *collection[S], s *shared[S], kind readKind, sub S) *Read[S] {
	rd := &Read[S]{kind: kind, room: r, coll: c, q: s, sub: sub}
	if s != nil {
		rd.Query, rd.Limit = s.q, s.win.cap
	}
	rd.start, rd.gen = c.journal.begin()
	return rd
}

// Leave ends sub's subscription to q; a query left without subscribers is dropped.
func (e *Engine[S]) Leave(roomName string, q Query, sub S) {
	r := e.lock(roomName, false)
	if r == nil {
		return
	}
	defer e.unlock(r)
	c := r.colls[q.Collection]
	if c == nil {
		return
	}
	s := c.queries[q.Key()]
	if s == nil {
		return
	}
	_, active := s.subs[sub]
	_, pending := s.pending[sub]
	if !active && !pending {
		return
	}
	delete(s.subs, sub)
	delete(s.pending, sub)
	s.relist()
	e.stats.subscribers.Add(-1)
	e.dropIfUnused(r, c, s)
}

func (e *Engine[S]) dropIfUnused(r *room[S], c *collection[S], s *shared[S]) {
	if len(s.subs) > 0 || len(s.pending) > 0 {
		return
	}
	s.dead = true
	c.drop(s)
	e.stats.queries.Add(-1)
	if len(c.queries) == 0 && len(c.journal.open) == 0 {
		delete(r.colls, s.q.Collection)
	}
}

// Visible returns what sub's query shows now, nil when sub is not subscribed to it.
func (e *Engine[S]) Visible(roomName string, q Query, sub S) []*Row {
	r := e.lock(roomName, false)
	if r == nil {
		return nil
	}
	defer e.unlock(r)
	if c := r.colls[q.Collection]; c != nil {
		if s := c.queries[q.Key()]; s != nil {
			if _, ok := s.subs[sub]; ok {
				return append([]*Row(nil), s.visible()...)
			}
		}
	}
	return nil
}
