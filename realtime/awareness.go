package realtime

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/yjs"
)

// awarenessTimeout is how long a client's awareness state lives without renewal: y-protocols
// clients renew theirs every 15 s and drop others' after 30 s.
const awarenessTimeout = 30 * time.Second

// Bounds on awareness, which any reader of a document (viewers and anonymous viewers too) may
// send: states are kept in memory, so without bounds one socket could fill a replica with
// invented client ids. A browser tab announces one client per document; several tabs share no
// socket.
const (
	maxAwarenessClientsPerSocket = 16   // client ids one socket may announce for one document
	maxAwarenessStatesPerDoc     = 1000 // states a replica keeps for one document
)

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
	k := docKey{s.room, name}
	s.mu.Lock()
	d := s.docs[name]
	crowded := d != nil && newIDs(d.clients, entries)+len(d.clients) > maxAwarenessClientsPerSocket
	s.mu.Unlock()
	switch {
	case d == nil:
		return // awareness belongs to an opened document (SyncStep1 first)
	case crowded:
		err = s.hub.limitHit("awareness_socket", "awareness: at most %d clients per socket and document", maxAwarenessClientsPerSocket)
	case !s.hub.awarenessSeen(k, entries): // not under s.mu: the relay's lock comes first
		err = s.hub.limitHit("awareness_document", "awareness: this document has %d clients already", maxAwarenessStatesPerDoc)
	}
	if err != nil {
		s.docError(name, err)
		return
	}
	s.mu.Lock() // only this socket's reader changes d.clients: nothing changed it meanwhile
	for _, e := range entries {
		if e.Removed() {
			delete(d.clients, e.ClientID)
		} else {
			d.clients[e.ClientID] = e.Clock
		}
	}
	s.mu.Unlock()
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

// newIDs counts the entries that announce a client known does not hold.
func newIDs[V any](known map[uint64]V, entries []yjs.AwarenessEntry) int {
	n := 0
	for _, e := range entries {
		if _, ok := known[e.ClientID]; !ok && !e.Removed() {
			n++
		}
	}
	return n
}

// awarenessSeen records entries, newer clocks winning; false, recording nothing, when they would
// take the document past maxAwarenessStatesPerDoc. States that were not renewed for
// awarenessTimeout are swept on a timer (sweepAwareness) that runs only while there are states.
func (h *Hub) awarenessSeen(k docKey, entries []yjs.AwarenessEntry) bool {
	h.relay.mu.Lock()
	defer h.relay.mu.Unlock()
	states := h.relay.aware[k]
	if states == nil {
		states = map[uint64]awareState{}
		h.relay.aware[k] = states
	}
	if len(states)+newIDs(states, entries) > maxAwarenessStatesPerDoc {
		return false
	}
	if h.relay.sweep == nil {
		h.relay.sweep = time.AfterFunc(awarenessTimeout, h.sweepAwareness)
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
	return true
}

// sweepAwareness forgets states not renewed for awarenessTimeout, and runs again while any are
// left: a client that vanished without saying so (its socket on another replica, a lost
// notification) holds no memory for longer than that.
func (h *Hub) sweepAwareness() {
	h.relay.mu.Lock()
	defer h.relay.mu.Unlock()
	for k, states := range h.relay.aware {
		for id, st := range states {
			if time.Since(st.seen) > awarenessTimeout {
				delete(states, id)
			}
		}
		if len(states) == 0 {
			delete(h.relay.aware, k)
		}
	}
	h.relay.sweep = nil
	if len(h.relay.aware) > 0 {
		h.relay.sweep = time.AfterFunc(awarenessTimeout, h.sweepAwareness)
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
	row := ChangeRow{Room: k.room, Name: k.name, Replica: h.cfg.Replica, Update: update}
	row.MAC = h.awarenessMAC(row)
	payload, err := json.Marshal(Change{Table: tableAwareness, Op: "update", TS: time.Now().UnixMilli(), Rows: []ChangeRow{row}})
	if err == nil {
		err = h.cfg.Docs.Notify(ctx, Channel, string(payload))
	}
	if err != nil {
		h.cfg.Logger.Warn("publish awareness", "room", k.room, "doc", k.name, "err", err)
	}
}

// awarenessMAC signs what a relayed awareness row says: its room, document, sender and update,
// each length-prefixed so that no two rows sign alike.
func (h *Hub) awarenessMAC(r ChangeRow) []byte {
	m := hmac.New(sha256.New, h.cfg.NotifyKey)
	for _, part := range [][]byte{[]byte(r.Room), []byte(r.Name), []byte(r.Replica), r.Update} {
		_ = binary.Write(m, binary.BigEndian, uint32(len(part)))
		m.Write(part)
	}
	return m.Sum(nil)
}

// tableAwareness is the pseudo-table of awareness notifications (docs/notify.md).
const tableAwareness = "awareness"

// awarenessFromReplicas relays other replicas' awareness updates to this replica's peers.
func (h *Hub) awarenessFromReplicas(rows []ChangeRow) {
	for _, r := range rows {
		if r.Replica == h.cfg.Replica {
			continue
		}
		if len(h.cfg.NotifyKey) == 0 || !hmac.Equal(r.MAC, h.awarenessMAC(r)) {
			h.metrics.forged.Inc()
			continue // not from a replica of ours: anyone may NOTIFY
		}
		entries, err := yjs.DecodeAwareness(r.Update)
		if err != nil {
			continue // not from a replica of ours: anyone may NOTIFY
		}
		k := docKey{r.Room, r.Name}
		if !h.awarenessSeen(k, entries) {
			continue // the document is full here too: the other replica's sender was told
		}
		h.sendToPeers(k, yjs.EncodeAwarenessMessage(r.Update), nil)
	}
}
