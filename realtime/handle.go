package realtime

import (
	"context"
	"encoding/json"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/live"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// System collections: the room's people, subscribable read-only (PROTOCOL.md §4).
const (
	sysUsers       = "$users"
	sysTeams       = "$teams"
	sysTeamMembers = "$teamMembers"
)

func isSystem(collection string) bool {
	return collection == sysUsers || collection == sysTeams || collection == sysTeamMembers
}

// handle answers one client message, on the reader. Every failure is an error message naming the
// request's ref or sub; the connection carries on.
func (s *session) handle(frame []byte) {
	var m protocol.ClientMessage
	err := json.Unmarshal(frame, &m)
	if err == nil && (m.Type == protocol.TypeCreate || m.Type == protocol.TypePut || m.Type == protocol.TypeRemove) {
		s.dispatch(m) // pipelined: pipeline.go
		return
	}
	// Anything else is answered after every mutation sent before it (pipeline.go).
	s.pipe.drain()
	if err != nil {
		s.fail(salvage(frame), protocol.New(protocol.BadRequest, "not a valid message: %v", err))
		return
	}
	ctx, cancel := workContext()
	defer cancel()
	switch m.Type {
	case protocol.TypePing:
		s.sendJSON(protocol.Pong{Type: protocol.TypePong, Ref: m.Ref})
	case protocol.TypeSubscribe:
		s.fail(m, s.subscribe(ctx, m))
	case protocol.TypeUnsubscribe:
		if m.Sub == "" {
			s.fail(m, protocol.New(protocol.BadRequest, "unsubscribe needs the sub to end"))
			return
		}
		s.unsubscribe(m.Sub)
	default:
		s.fail(m, protocol.New(protocol.BadRequest, "unknown message type %q: want subscribe, unsubscribe, create, put, remove or ping", protocol.Clip(m.Type)))
	}
}

// salvage digs type, ref and sub out of a message that did not decode as a whole (a mistyped
// field), so that the error still reaches the right request or subscription.
func salvage(frame []byte) protocol.ClientMessage {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(frame, &fields)
	var m protocol.ClientMessage
	_ = json.Unmarshal(fields["type"], &m.Type)
	_ = json.Unmarshal(fields["ref"], &m.Ref)
	_ = json.Unmarshal(fields["sub"], &m.Sub)
	return m
}

// fail sends err, if any, as an error message for m.
func (s *session) fail(m protocol.ClientMessage, err error) {
	if err == nil {
		return
	}
	e := protocol.ErrorOf(err)
	if e.Code == protocol.Internal {
		s.hub.cfg.Logger.Error("websocket request failed", "type", m.Type, "room", s.room, "err", err)
	}
	msg := protocol.ErrorMessage{Ref: m.Ref, Code: e.Code, Message: e.Message, Details: e.Details, RetryAfterMs: e.RetryAfterMs}
	if m.Type == protocol.TypeSubscribe {
		msg.Ref, msg.Sub = "", m.Sub
	}
	s.sendError(msg)
}

func (s *session) subscribe(ctx context.Context, m protocol.ClientMessage) error {
	if m.Sub == "" || len(m.Sub) > 128 {
		return protocol.New(protocol.BadRequest, "sub: want an id of 1–128 characters")
	}
	sub := &subscription{id: m.Sub, collection: m.Collection, session: s, sent: map[string]stamp{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A subscribe replaces the subscription of the same id, also when it fails: the client no
	// longer wants the old one.
	if _, replacing := s.subs[m.Sub]; replacing {
		s.dropSubLocked(m.Sub)
	} else if len(s.subs) >= s.hub.cfg.MaxSubscriptions {
		return s.hub.limitHit("subscriptions", "at most %d subscriptions per connection", s.hub.cfg.MaxSubscriptions)
	}
	req := records.Query{Where: m.Where, OrderBy: m.OrderBy}
	if m.Limit != nil {
		// Over the wire an explicit 0 is a mistake; records.Query reads 0 as "the default".
		if *m.Limit < 1 || *m.Limit > records.MaxLimit {
			return protocol.New(protocol.BadRequest, "limit: must be 1 to %d, got %d", records.MaxLimit, *m.Limit)
		}
		req.Limit = *m.Limit
	}
	if err := s.prepare(ctx, sub, req); err != nil {
		return err
	}
	s.addSubLocked(sub)
	if sub.query != nil {
		// The engine sends the snapshot, from a shared query in memory or from this
		// subscription's own load; changes follow it, in order, under the engine's lock.
		if err := s.joinLocked(ctx, sub); err != nil {
			s.dropSubLocked(sub.id)
			return err
		}
		return nil
	}
	// A system subscription: the session stays locked until its first state is set, so a
	// change re-run after the query waits for the lock and none slips in between.
	items, err := s.result(ctx, sub)
	if err != nil {
		s.dropSubLocked(sub.id)
		return err
	}
	body := make([]any, len(items))
	for i, it := range items {
		sub.sent[it.id] = it.stamp
		body[i] = it.body
	}
	s.sendJSON(protocol.Snapshot{Type: protocol.TypeSnapshot, Sub: m.Sub, Records: body})
	return nil
}

// prepare checks a subscription's query against the schema and the caller's access, now.
func (s *session) prepare(ctx context.Context, sub *subscription, req records.Query) error {
	sub.limit = req.Limit
	if sub.limit == 0 {
		sub.limit = records.DefaultLimit
	}
	if !isSystem(sub.collection) {
		p, err := s.hub.cfg.Records.Prepare(ctx, s.caller, s.room, sub.collection, req)
		if err != nil {
			return err
		}
		sub.query, sub.limit = p, p.Limit
		sub.request = req
		return nil
	}
	if !s.caller.Role.AtLeast(access.Member) {
		return protocol.New(protocol.Forbidden, "reading %s needs role member", sub.collection)
	}
	where, err := filter.Parse(req.Where)
	if err != nil {
		return protocol.New(protocol.BadRequest, "%v", err)
	}
	order, err := filter.ParseOrder(req.OrderBy)
	if err != nil {
		return protocol.New(protocol.BadRequest, "%v", err)
	}
	sub.system, sub.request = &systemQuery{where: where, order: order}, req
	return nil
}

func (s *session) unsubscribe(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropSubLocked(id)
}

// mutate runs a create, put or remove through the records service and pushes what it changed in
// this session's own subscriptions; it answers the reply to send once every earlier mutation of
// the session has replied (read-your-writes: the reply comes after the push).
func (s *session) mutate(ctx context.Context, caller access.Caller, key records.Key, m protocol.ClientMessage) (reply func()) {
	svc := s.hub.cfg.Records
	var (
		rec records.Record
		err error
	)
	switch m.Type {
	case protocol.TypeCreate:
		rec, err = svc.Create(ctx, caller, key, m.Data)
	case protocol.TypePut:
		rec, err = svc.Put(ctx, caller, key, records.PutParams{Data: m.Data, Replace: m.Replace, IfVersion: m.IfVersion})
	case protocol.TypeRemove:
		rec, err = svc.Remove(ctx, caller, key, records.RemoveParams{IfVersion: m.IfVersion})
	}
	if err != nil {
		s.hub.metrics.mutations.WithLabelValues(m.Type, "error").Inc()
		return func() { s.fail(m, err) }
	}
	s.hub.metrics.mutations.WithLabelValues(m.Type, "ok").Inc()
	if m.Type == protocol.TypeRemove {
		s.ownWrite(ctx, m.Collection, nil, &rec)
		return func() {
			if m.Ref != "" {
				s.sendJSON(protocol.Ack{Type: protocol.TypeAck, Ref: m.Ref, ID: rec.ID})
			}
		}
	}
	s.ownWrite(ctx, m.Collection, &rec, nil)
	return func() {
		if m.Ref != "" {
			s.sendJSON(protocol.Ack{Type: protocol.TypeAck, Ref: m.Ref, Record: &rec})
		}
	}
}

// ownWrite applies this session's own committed write to every shared query here at once, and
// runs the refills it makes necessary, before the write is acknowledged (read-your-writes).
func (s *session) ownWrite(ctx context.Context, collection string, written, removed *records.Record) {
	change := func() live.Change {
		if written != nil {
			return live.Change{ID: written.ID, Row: rowOf(records.ToDB(*written, s.room))}
		}
		last := live.Stamp{Created: removed.CreatedAt.Time, Version: removed.Version}
		return live.Change{ID: removed.ID, Removed: &last}
	}
	_ = s.hub.runReads(ctx, s.hub.live.ApplyOwn(s.room, collection, change)...)
}
