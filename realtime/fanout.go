package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/live"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
)

// deliverChange delivers one change notification (or a run of them, coalesced) to every affected
// subscription on this replica. Within a shard's lane changes are handled one at a time, in
// commit order (changequeue.go: rooms are sharded, member changes have a lane of their own).
func (h *Hub) deliverChange(c Change) {
	switch c.Table {
	case "records":
		h.recordsChanged(c.Rows)
		if c.Op == "delete" {
			h.recordsDeleted(c.Rows)
		}
	case "users":
		for room, ids := range groupByRoom(c.Rows) {
			h.eachSession(room, func(ctx context.Context, s *session) {
				if s.usersChanged(ctx, ids) {
					s.closeUnreadableDocs(ctx) // only a new role changes what a session may read
				}
			})
		}
	case "yjs_updates":
		if c.Op == "insert" {
			h.yjsUpdatesStored(c.Rows)
		}
	case tableAwareness:
		h.awarenessFromReplicas(c.Rows)
	case "rooms":
		// A new schema or new settings: every subscription is prepared again, and anonymous
		// viewers leave if they are no longer admitted. A room's row is made before anyone
		// connects to it, so its insert concerns no session.
		if c.Op == "insert" {
			return
		}
		for room := range groupByRoom(c.Rows) {
			h.eachSession(room, func(ctx context.Context, s *session) {
				s.resync(ctx)
				s.closeUnreadableDocs(ctx)
			})
		}
	case "teams", "team_members":
		collection := sysTeams
		if c.Table == "team_members" {
			collection = sysTeamMembers
		}
		for room := range groupByRoom(c.Rows) {
			h.eachSession(room, func(ctx context.Context, s *session) { s.rerunCollection(ctx, collection) })
		}
	}
}

// eachSession runs fn for every session in room, each with its own time limit: one slow
// session costs no other its chance.
func (h *Hub) eachSession(room string, fn func(context.Context, *session)) {
	for _, s := range h.inRoom(room) {
		ctx, cancel := workContext()
		fn(ctx, s)
		cancel()
	}
}

// Resync re-evaluates every subscription of this replica (the listener calls it after every
// reconnect: notifications sent while it was deaf are lost) and pushes the differences. It
// queues a resync on every shard of the fan-out pool, superseding what they have queued and
// ahead of every change queued later, and returns: each shard re-evaluates its own rooms, so a
// slow room holds back no room of another shard.
func (h *Hub) Resync(context.Context) error {
	h.fanout.requestResync()
	return nil
}

// resyncRooms re-evaluates the subscriptions of the rooms that in accepts: each shared query's
// SQL once for all its subscribers, then each session's role and system subscriptions, then
// the open Yjs documents. Each step has its own time limit.
func (h *Hub) resyncRooms(in func(room string) bool) {
	rooms := map[string]bool{}
	var sessions []*session
	for _, s := range h.all() {
		if in(s.room) {
			sessions = append(sessions, s)
			rooms[s.room] = true
		}
	}
	for room := range rooms {
		ctx, cancel := workContext()
		_ = h.runReads(ctx, h.live.ResetRoom(room)...)
		cancel()
	}
	for _, s := range sessions {
		ctx, cancel := workContext()
		s.resync(ctx)
		cancel()
	}
	for _, k := range h.relay.docs() {
		if in(k.room) {
			h.resyncDoc(k)
		}
	}
}

// recordsChanged applies changed records, for each room and collection that a shared query
// here reads: one fetch of their current rows, one evaluation per shared query, one encoding
// per delta.
func (h *Hub) recordsChanged(rows []ChangeRow) {
	type key struct{ room, collection string }
	ids := map[key][]string{}
	var order []key
	for _, r := range rows {
		k := key{r.Room, r.Collection}
		if _, ok := ids[k]; !ok {
			order = append(order, k)
		}
		ids[k] = append(ids[k], r.ID)
	}
	for _, k := range order {
		h.deliverRecords(k.room, k.collection, ids[k])
	}
}

// fetchAttempts is how often a fetch of changed rows is repeated when this replica's own
// writes overtook it in a way the rows cannot tell; the last attempt is applied regardless.
const fetchAttempts = 3

// deliverRecords fetches the current rows of changed records and hands them to the engine,
// then runs the refills that needs. No lock is held while the database works: the engine
// applies, on top of the fetched rows, whatever it learned meanwhile (read-your-writes).
func (h *Hub) deliverRecords(room, collection string, ids []string) {
	for attempt := 1; ; attempt++ {
		rd := h.live.BeginChanges(room, collection)
		if rd == nil {
			return // no query here reads the collection
		}
		if attempt >= fetchAttempts {
			rd.Insist()
		}
		if h.hooks.fetch != nil {
			h.hooks.fetch(room)
		}
		ctx, cancel := workContext()
		current, err := h.cfg.Records.ByIDs(ctx, room, collection, ids)
		if err != nil {
			h.live.Abort(rd)
			// Nothing is lost: a reset compares every shared query of the room with the
			// database (and closes the sessions whose query cannot even be run).
			h.cfg.Logger.Error("fetch changed records; resetting the room's live queries", "room", room, "err", err)
			_ = h.runReads(ctx, h.live.ResetRoom(room)...)
			cancel()
			return
		}
		changes := make([]live.Change, 0, len(ids))
		for _, r := range current {
			changes = append(changes, live.Change{ID: r.ID, Row: rowOf(r)})
		}
		for _, id := range missing(ids, current) {
			changes = append(changes, live.Change{ID: id})
		}
		applied, refills := h.live.ApplyChanges(rd, changes)
		if applied {
			_ = h.runReads(ctx, refills...)
			cancel()
			return
		}
		cancel()
	}
}

func missing(ids []string, present []db.Record) []string {
	found := make(map[string]bool, len(present))
	for _, r := range present {
		found[r.ID] = true
	}
	var out []string
	for _, id := range ids {
		if !found[id] {
			out = append(out, id)
			found[id] = true // once
		}
	}
	return out
}

func groupByRoom(rows []ChangeRow) map[string][]string {
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Room] = append(out[r.Room], r.ID)
	}
	return out
}

// rerunLocked runs a system subscription's query again and sends the difference. s.mu is held.
func (s *session) rerunLocked(ctx context.Context, sub *subscription) {
	items, err := s.result(ctx, sub)
	if err != nil {
		// The subscription can no longer be kept exact: the client reconnects and gets fresh
		// snapshots rather than a result that silently went stale.
		s.hub.cfg.Logger.Error("re-run subscription; closing", "room", s.room, "sub", sub.id, "err", err)
		s.close(protocol.CloseInternal, "internal error: reconnect")
		return
	}
	s.sendDelta(sub.id, sub.reset(items))
}

// rerunCollection re-runs every subscription on one (system) collection.
func (s *session) rerunCollection(ctx context.Context, collection string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		if sub.collection == collection {
			s.rerunLocked(ctx, sub)
		}
	}
}

// usersChanged follows changes to the room's users: this session's own user (a new role, or
// removal from the room) and $users subscriptions. A visit (lastSeenAt) changes no role, so it
// re-runs only $users. It reports whether the caller's role changed.
func (s *session) usersChanged(ctx context.Context, ids []string) (roleChanged bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	self := s.caller.UserID
	if self != "" && slices.Contains(ids, self) {
		role := s.caller.Role
		if !s.refreshCallerLocked(ctx) {
			return false
		}
		if s.caller.Role != role {
			s.rerunAllLocked(ctx)
			return true
		}
	}
	for _, sub := range s.subs {
		if sub.collection == sysUsers {
			s.rerunLocked(ctx, sub)
		}
	}
	return false
}

// resync refreshes the caller's role, then re-runs every subscription: after the listener
// missed notifications, anything may have changed.
func (s *session) resync(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refreshCallerLocked(ctx) {
		s.rerunAllLocked(ctx)
	}
}

// refreshCallerLocked reloads the caller's role; false when the session ends or cannot tell.
func (s *session) refreshCallerLocked(ctx context.Context) bool {
	if s.caller.UserID == "" {
		// Anonymous viewers have no row: they stay while the room lets them in.
		r, err := s.hub.cfg.Members.ExistingRoom(ctx, s.room)
		switch {
		case err != nil:
			s.hub.cfg.Logger.Error("refresh websocket room; closing", "room", s.room, "err", err)
			s.close(protocol.CloseInternal, "internal error: reconnect")
			return false
		case !r.AllowAnonymous:
			s.close(protocol.CloseRemoved, "the room no longer admits anonymous viewers")
			return false
		}
		return true
	}
	u, err := s.hub.cfg.Members.User(ctx, s.room, s.caller.UserID)
	if err != nil {
		if protocol.ErrorOf(err).Code == protocol.NotFound {
			s.close(protocol.CloseRemoved, "removed from the room")
		} else {
			s.hub.cfg.Logger.Error("refresh websocket user; closing", "room", s.room, "err", err)
			s.close(protocol.CloseInternal, "internal error: reconnect")
		}
		return false
	}
	s.caller.Role = access.Role(u.Role)
	return true
}

// rerunAllLocked prepares every subscription again for the caller as they are now and sends
// the differences; a subscription the caller may no longer read at all ends with an error. A
// record subscription whose shared query is unchanged keeps it: the shared query follows
// every change for all its subscribers (and Resync resets it once for all of them).
func (s *session) rerunAllLocked(ctx context.Context) {
	for id, sub := range s.subs {
		if err := s.prepare(ctx, sub, sub.request); err != nil {
			s.dropSubLocked(id)
			s.fail(protocol.ClientMessage{Type: protocol.TypeSubscribe, Sub: id}, err)
			continue
		}
		if sub.query == nil {
			s.rerunLocked(ctx, sub)
			continue
		}
		if err := s.rejoinLocked(ctx, sub); err != nil {
			if protocol.ErrorOf(err).Code != protocol.Internal {
				// Refused (the cost limit, say): it ends as its subscribe would now be answered.
				s.dropSubLocked(id)
				s.fail(protocol.ClientMessage{Type: protocol.TypeSubscribe, Sub: id}, err)
				continue
			}
			s.hub.cfg.Logger.Error("re-run subscription; closing", "room", s.room, "sub", sub.id, "err", err)
			s.close(protocol.CloseInternal, "internal error: reconnect")
			return
		}
	}
}

// result runs a system subscription's query, in memory.
func (s *session) result(ctx context.Context, sub *subscription) ([]item, error) {
	all, err := s.systemRows(ctx, sub.collection)
	if err != nil {
		return nil, err
	}
	return sub.system.items(all, sub.limit), nil
}

// systemRows renders a system collection's rows as {"id", "data"} items, data being the row as
// REST shows it (members.UserOf, …) less the id.
func (s *session) systemRows(ctx context.Context, collection string) ([]protocol.SystemItem, error) {
	m := s.hub.cfg.Members
	var out []protocol.SystemItem
	add := func(id string, data any) {
		raw, _ := json.Marshal(data) // cannot fail: strings and times
		out = append(out, protocol.SystemItem{ID: id, Data: raw})
	}
	switch collection {
	case sysUsers:
		users, err := m.Users(ctx, s.room)
		for _, u := range users {
			add(u.ID, members.UserOf(u).UserData)
		}
		return out, err
	case sysTeams:
		teams, err := m.Teams(ctx, s.room)
		for _, t := range teams {
			add(t.ID, members.TeamOf(t).TeamData)
		}
		return out, err
	case sysTeamMembers:
		tms, err := m.TeamMembers(ctx, s.room)
		for _, tm := range tms {
			add(tm.ID, members.TeamMemberOf(tm).TeamMemberData)
		}
		return out, err
	}
	return nil, errors.New("unknown system collection " + collection)
}
