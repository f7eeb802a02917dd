package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/protocol"
)

// Subscription is a live query: it holds the current result, ordered, and follows every change
// the server pushes. After a reconnect the client subscribes again and the fresh snapshot
// replaces the result whole.
//
// To be told of changes, wait on Changed and then read Records: Changed has room for one
// signal, so signals coalesce and the client never waits for a slow reader; Records always
// returns the latest result.
type Subscription struct {
	c          *Client
	id         string // the protocol's sub
	seq        int
	collection string
	frame      []byte // the subscribe message, sent again on every connection
	order      order

	changed   chan struct{} // capacity 1
	ready     chan struct{} // closed by the first snapshot
	readyOnce sync.Once
	done      chan struct{}
	endOnce   sync.Once

	mu     sync.Mutex
	byID   map[string]*entry
	sorted []*entry // in order
	err    error
}

// entry is one record of the result with its sort key.
type entry struct {
	rec Record
	key filter.Doc
}

// Subscribe starts a live query on collection (a record collection, or $users, $teams,
// $teamMembers) and returns once the server's first snapshot has arrived (while disconnected,
// it waits for the next connection). A query the server refuses fails it with the server's
// *Error (bad_request, forbidden, unknown_collection, limit); if ctx ends first, the
// subscription is withdrawn and ctx's error returned.
func (c *Client) Subscribe(ctx context.Context, collection string, q Query) (*Subscription, error) {
	where, err := whereJSON(q.Where)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.state == StateClosed {
		defer c.mu.Unlock()
		return nil, c.err
	}
	c.nextSub++
	s := &Subscription{
		c: c, id: "s" + strconv.Itoa(c.nextSub), seq: c.nextSub, collection: collection, order: newOrder(q.OrderBy),
		changed: make(chan struct{}, 1), ready: make(chan struct{}), done: make(chan struct{}),
		byID: map[string]*entry{},
	}
	s.frame, err = json.Marshal(protocol.Subscribe{Type: protocol.TypeSubscribe, Sub: s.id, Collection: collection,
		Where: where, OrderBy: q.OrderBy, Limit: q.Limit})
	if err != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("encode subscribe: %w", err)
	}
	c.subs[s.id] = s
	c.sendLocked(s.frame)
	c.mu.Unlock()
	select {
	case <-s.ready:
		return s, nil
	case <-s.done:
		return nil, s.Err()
	case <-ctx.Done():
		s.Close()
		return nil, fmt.Errorf("subscribe %s: %w", collection, ctx.Err())
	}
}

// sendLocked queues a frame on the live connection, if there is one; without one, activate
// rebuilds what matters. c.mu is held.
func (c *Client) sendLocked(frame []byte) {
	if c.conn != nil {
		c.conn.queue = append(c.conn.queue, outgoing{frame: frame})
		c.conn.wakeup()
	}
}

// Collection is the subscribed collection.
func (s *Subscription) Collection() string { return s.collection }

// Records returns the current result in the query's order (ties by id). The slice is the
// caller's; the records' Data must not be modified.
func (s *Subscription) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, len(s.sorted))
	for i, e := range s.sorted {
		out[i] = e.rec
	}
	return out
}

// Changed receives a signal after the result changed (a snapshot or changes arrived) and when
// the subscription ends. Signals coalesce: one wake-up may stand for many changes.
func (s *Subscription) Changed() <-chan struct{} { return s.changed }

// Done is closed when the subscription has ended: by Close, by the server (see Err), or because
// the client closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended: the server's *Error (e.g. forbidden after a role
// change), the client's final error, or ErrClosed after Close; nil while it is live.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription and tells the server. The last result stays readable.
func (s *Subscription) Close() {
	c := s.c
	c.mu.Lock()
	if c.subs[s.id] == s {
		delete(c.subs, s.id)
		frame, _ := json.Marshal(protocol.Unsubscribe{Type: protocol.TypeUnsubscribe, Sub: s.id}) // cannot fail
		c.sendLocked(frame)
	}
	c.mu.Unlock()
	s.end(ErrClosed)
}

// end records why the subscription ended, once.
func (s *Subscription) end(err error) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.done)
		s.signal()
	})
}

func (s *Subscription) signal() {
	select {
	case s.changed <- struct{}{}:
	default: // a signal is pending already
	}
}

// replace makes a snapshot the whole result.
func (s *Subscription) replace(records []Record) {
	s.mu.Lock()
	s.byID = make(map[string]*entry, len(records))
	s.sorted = make([]*entry, 0, len(records))
	for _, r := range records {
		e := &entry{rec: r, key: s.order.keyOf(r)}
		if _, dup := s.byID[r.ID]; !dup {
			s.byID[r.ID] = e
			s.sorted = append(s.sorted, e)
		}
	}
	slices.SortFunc(s.sorted, func(a, b *entry) int { return s.order.compare(a.key, b.key) })
	s.mu.Unlock()
	s.readyOnce.Do(func() { close(s.ready) })
	s.signal()
}

// apply merges a changes message into the result. An upsert no newer than the record held is
// ignored: per record, versions only grow.
func (s *Subscription) apply(upserts []Record, removes []string) {
	s.mu.Lock()
	changed := false
	for _, id := range removes {
		if e := s.byID[id]; e != nil {
			s.remove(e)
			changed = true
		}
	}
	for _, r := range upserts {
		if held := s.byID[r.ID]; held != nil {
			if !newer(r, held.rec) {
				continue
			}
			s.remove(held)
		}
		s.insert(&entry{rec: r, key: s.order.keyOf(r)})
		changed = true
	}
	s.mu.Unlock()
	if changed {
		s.signal()
	}
}

// newer reports whether a is a later state of the record than b: a later creation (the id was
// removed and created again) or a higher version. System items carry no version: each one the
// server sends is news.
func newer(a, b Record) bool {
	if a.Version == 0 && b.Version == 0 {
		return true
	}
	if c := a.CreatedAt.Compare(b.CreatedAt.Time); c != 0 {
		return c > 0
	}
	return a.Version > b.Version
}

func (s *Subscription) insert(e *entry) {
	i := sort.Search(len(s.sorted), func(i int) bool { return s.order.compare(s.sorted[i].key, e.key) > 0 })
	s.sorted = slices.Insert(s.sorted, i, e)
	s.byID[e.rec.ID] = e
}

func (s *Subscription) remove(e *entry) {
	delete(s.byID, e.rec.ID)
	i := sort.Search(len(s.sorted), func(i int) bool { return s.order.compare(s.sorted[i].key, e.key) >= 0 })
	if i < len(s.sorted) && s.sorted[i] == e { // keys are unique (id breaks ties): found at once
		s.sorted = slices.Delete(s.sorted, i, i+1)
		return
	}
	// Only a key that does not compare equal to itself could get here; stay correct anyway.
	s.sorted = slices.DeleteFunc(s.sorted, func(x *entry) bool { return x == e })
}
