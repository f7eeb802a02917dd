package realtime

import (
	"strings"
	"sync"

	idgen "github.com/recordroom/recordroom/internal/ids"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// One socket's mutations are pipelined: the reader checks and keys each one and hands it to a
// goroutine of its own, so that a burst from one connection reaches the records service at once
// and lands in one group commit (records/batch.go) instead of one commit per message. What a
// client sees stays as if they ran one at a time:
//   - per record (collection, id), mutations are written in the order sent: each waits until the
//     previous one on its key is written and applied to this session's subscriptions;
//   - each mutation's changes reach this session's own subscriptions before its ack
//     (read-your-writes), and replies (ack or error) go out in the order the mutations came,
//     so an ack also means every earlier mutation of the socket has been answered;
//   - any other message (subscribe, unsubscribe, ping, one that does not decode) waits until
//     every mutation before it has been answered, so a subscribe after a create sees it;
//   - at most HubConfig.MaxInFlight run at once: the reader blocks for a free slot, and the
//     socket's input waits in TCP (backpressure);
//   - when the socket closes, the session waits for the mutations in flight before it leaves.
// Yjs binary frames are not ordered with mutations: they touch documents, never records.
//
// Nothing runs while a socket is idle: the goroutines live as long as their mutation.

// flight is one mutation between its dispatch and its reply.
type flight struct {
	applied chan struct{} // closed once written and applied here, or failed: the next on its key may go
	replied chan struct{} // closed once its ack or error is queued: the next reply may go
}

// pipeline is a session's mutations in flight. Only the reader dispatches and drains; the
// mutations' goroutines only take themselves out of keys.
type pipeline struct {
	running sync.WaitGroup
	slots   chan struct{} // one per mutation in flight; made on the first mutation
	last    *flight       // the latest dispatched (reader only)

	mu   sync.Mutex
	keys map[records.Key]*flight // per record, the latest dispatched mutation still in flight
}

// begin reserves a slot (waiting while max are in flight) and answers the new mutation's flight
// with the ones it must wait for: the latest on the same key, and the latest of all.
func (p *pipeline) begin(k records.Key, max int) (f, sameKey, before *flight) {
	if p.slots == nil {
		p.slots = make(chan struct{}, max)
	}
	p.slots <- struct{}{}
	f = &flight{applied: make(chan struct{}), replied: make(chan struct{})}
	before, p.last = p.last, f
	p.mu.Lock()
	if p.keys == nil {
		p.keys = map[records.Key]*flight{}
	}
	sameKey, p.keys[k] = p.keys[k], f
	p.mu.Unlock()
	p.running.Add(1)
	return f, sameKey, before
}

// end releases f's slot once it has replied.
func (p *pipeline) end(k records.Key, f *flight) {
	p.mu.Lock()
	if p.keys[k] == f {
		delete(p.keys, k)
	}
	if len(p.keys) == 0 {
		p.keys = nil // a map keeps its size: an idle socket should not keep a burst's
	}
	p.mu.Unlock()
	<-p.slots
	p.running.Done()
}

// drain waits until every mutation dispatched so far has replied and ended.
func (p *pipeline) drain() {
	p.running.Wait()
	p.last = nil
}

// dispatch checks a create, put or remove on the reader, keys it (a create without an id gets
// its UUIDv7 here, as the records service would give it), and runs it on a goroutine of its own.
func (s *session) dispatch(m protocol.ClientMessage) {
	var refused error
	switch {
	case isSystem(m.Collection) || strings.HasPrefix(m.Collection, "$"):
		refused = protocol.New(protocol.Forbidden, "%s is read-only: system collections change through the REST routes", protocol.Clip(m.Collection))
	case m.Type == protocol.TypeCreate && m.ID == "":
		id, err := idgen.New()
		if err != nil {
			refused = err
		}
		m.ID = id
	}
	s.mu.Lock()
	caller := s.caller
	s.mu.Unlock()
	key := records.Key{Room: s.room, Collection: m.Collection, ID: m.ID}
	f, sameKey, before := s.pipe.begin(key, s.hub.cfg.MaxInFlight)
	go func() {
		defer s.pipe.end(key, f)
		if sameKey != nil {
			<-sameKey.applied
		}
		var reply func()
		if refused != nil {
			s.hub.metrics.mutations.WithLabelValues(m.Type, "error").Inc()
			reply = func() { s.fail(m, refused) }
		} else {
			if s.hub.hooks.mutation != nil {
				s.hub.hooks.mutation(m)
			}
			ctx, cancel := workContext()
			defer cancel()
			reply = s.mutate(ctx, caller, key, m)
		}
		close(f.applied)
		if before != nil {
			<-before.replied
		}
		reply()
		close(f.replied)
	}()
}
