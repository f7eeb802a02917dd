package realtime

import (
	"context"
	"encoding/json"
	"time"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/yjs"
)

// awarenessTimeout is how long a client's awareness state lives without renewal: y-protocols
// clients renew theirs every 15 s and drop others' after 30 s.
const awarenessTimeout = 30 * time.Second

// maxAwarenessNotify bounds an awareness update sent to other replicas: NOTIFY payloads end at
// 8000 bytes, base64 takes a third more. Larger ones (rare: cursors are small) stay local.
const maxAwarenessNotify = 5000

// awareState is the last awareness entry known for a client of a document.
type awareState struct {
	entry yjs.AwarenessEntry
	seen  time.Time
}

// awareness handles a client's awareness update: remembered (for query-awareness and for
// announcing its clients gone), relayed to the document's other peers here, and sent to the
// other replicas. Never stored.
func (s *session) awareness(ctx context.Context, name string, update []byte) {
	entries, err := yjs.DecodeAwareness(update)
	if err != nil {
		s.docError(name, protocol.New(protocol.BadRequest, "not an awareness update: %v", err))
		return
	}
	s.mu.Lock()
	d := s.docs[name]
	if d != nil {
		for _, e := range entries {
			if e.Removed() {
				delete(d.clients, e.ClientID)
			} else {
				d.clients[e.ClientID] = e.Clock
			}
		}
	}
	s.mu.Unlock()
	if d == nil {
		return // awareness belongs to an opened document (SyncStep1 first)
	}
	k := docKey{s.room, name}
	s.hub.awarenessSeen(k, entries)
	s.hub.sendToPeers(k, yjs.EncodeAwarenessMessage(update), s)
	s.hub.publishAwareness(ctx, k, update)
}

// answerAwarenessQuery sends every live awareness state known for a document the socket opened.
func (s *session) answerAwarenessQuery(name string) {
	s.mu.Lock()
	opened := s.docs[name] != nil
	s.mu.Unlock()
	if !opened {
		return // who edits a document is for those who may read it: open it first
	}
	entries := s.hub.awarenessOf(docKey{s.room, name})
	if len(entries) == 0 {
		return
	}
	update, err := yjs.EncodeAwareness(entries)
	if err != nil {
		s.hub.cfg.Logger.Error("encode awareness", "err", err)
		return
	}
	s.sendDoc(name, yjs.EncodeAwarenessMessage(update))
}

// awarenessSeen records entries, newer clocks winning.
func (h *Hub) awarenessSeen(k docKey, entries []yjs.AwarenessEntry) {
	h.relay.mu.Lock()
	defer h.relay.mu.Unlock()
	states := h.relay.aware[k]
	if states == nil {
		states = map[uint64]awareState{}
		h.relay.aware[k] = states
	}
	now := time.Now()
	for _, e := range entries {
		if old, ok := states[e.ClientID]; ok && old.entry.Clock > e.Clock {
			continue
		}
		if e.Removed() {
			delete(states, e.ClientID)
			continue
		}
		states[e.ClientID] = awareState{entry: e, seen: now}
	}
	if len(states) == 0 {
		delete(h.relay.aware, k)
	}
}

// awarenessOf lists the live states of a document, forgetting expired ones.
func (h *Hub) awarenessOf(k docKey) []yjs.AwarenessEntry {
	h.relay.mu.Lock()
	defer h.relay.mu.Unlock()
	var out []yjs.AwarenessEntry
	for id, st := range h.relay.aware[k] {
		if time.Since(st.seen) > awarenessTimeout {
			delete(h.relay.aware[k], id)
			continue
		}
		out = append(out, st.entry)
	}
	return out
}

// awarenessGone announces that a leaving socket's clients are gone (state null, clock + 1), to
// the document's peers here and on other replicas.
func (h *Hub) awarenessGone(k docKey, clients map[uint64]uint64) {
	if len(clients) == 0 {
		return
	}
	entries := make([]yjs.AwarenessEntry, 0, len(clients))
	for id, clock := range clients {
		entries = append(entries, yjs.AwarenessEntry{ClientID: id, Clock: clock + 1, State: json.RawMessage("null")})
	}
	update, err := yjs.EncodeAwareness(entries)
	if err != nil {
		h.cfg.Logger.Error("encode awareness", "err", err)
		return
	}
	h.awarenessSeen(k, entries)
	h.sendToPeers(k, yjs.EncodeAwarenessMessage(update), nil)
	ctx, cancel := workContext()
	defer cancel()
	h.publishAwareness(ctx, k, update)
}

// publishAwareness sends an awareness update to the other replicas through the change channel.
func (h *Hub) publishAwareness(ctx context.Context, k docKey, update []byte) {
	if len(update) > maxAwarenessNotify {
		return
	}
	payload, err := json.Marshal(Change{Table: tableAwareness, Op: "update", TS: time.Now().UnixMilli(),
		Rows: []ChangeRow{{Room: k.room, Name: k.name, Replica: h.cfg.Replica, Update: update}}})
	if err == nil {
		err = h.cfg.Docs.Notify(ctx, Channel, string(payload))
	}
	if err != nil {
		h.cfg.Logger.Warn("publish awareness", "room", k.room, "doc", k.name, "err", err)
	}
}

// tableAwareness is the pseudo-table of awareness notifications (docs/notify.md).
const tableAwareness = "awareness"

// awarenessFromReplicas relays other replicas' awareness updates to this replica's peers.
func (h *Hub) awarenessFromReplicas(rows []ChangeRow) {
	for _, r := range rows {
		if r.Replica == h.cfg.Replica {
			continue
		}
		entries, err := yjs.DecodeAwareness(r.Update)
		if err != nil {
			continue // not from a replica of ours: anyone may NOTIFY
		}
		k := docKey{r.Room, r.Name}
		h.awarenessSeen(k, entries)
		h.sendToPeers(k, yjs.EncodeAwarenessMessage(r.Update), nil)
	}
}
