package realtime

import (
	"sync"
	"time"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/yjs"
)

// docKey names a Yjs document.
type docKey struct{ room, name string }

// docRelay is the hub's part of Yjs (PROTOCOL.md §6): which sessions of this replica opened
// which document, the updates this replica stored itself (their notifications are not relayed a
// second time), and the awareness states known per document.
type docRelay struct {
	mu    sync.Mutex
	peers map[docKey]map[*session]struct{}
	own   map[int64]time.Time // seq → when stored here
	aware map[docKey]map[uint64]awareState
	sweep *time.Timer // forgets stale awareness states while there are any (awareness.go)
}

// ownSeqTTL is how long an own seq waits for its notification: one that never comes (the
// listener was down) must not be remembered for ever.
const ownSeqTTL = time.Minute

// ownSeqPrune is how many own seqs may wait before old ones are looked for.
const ownSeqPrune = 1024

func newDocRelay() docRelay {
	return docRelay{peers: map[docKey]map[*session]struct{}{}, own: map[int64]time.Time{}, aware: map[docKey]map[uint64]awareState{}}
}

func (r *docRelay) join(k docKey, s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers[k] == nil {
		r.peers[k] = map[*session]struct{}{}
	}
	r.peers[k][s] = struct{}{}
}

func (r *docRelay) leave(k docKey, s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.peers[k], s)
	if len(r.peers[k]) == 0 {
		delete(r.peers, k)
	}
}

// peersOf lists the sessions that opened k, but except.
func (r *docRelay) peersOf(k docKey, except *session) []*session {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*session, 0, len(r.peers[k]))
	for s := range r.peers[k] {
		if s != except {
			out = append(out, s)
		}
	}
	return out
}

// docs lists the documents with peers here.
func (r *docRelay) docs() []docKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]docKey, 0, len(r.peers))
	for k := range r.peers {
		out = append(out, k)
	}
	return out
}

// markOwn remembers a seq this replica stored and relayed itself.
func (r *docRelay) markOwn(seq int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.own[seq] = now
	if len(r.own) < ownSeqPrune {
		return // notifications arrive within milliseconds and take their seqs out
	}
	for q, at := range r.own {
		if now.Sub(at) > ownSeqTTL {
			delete(r.own, q)
		}
	}
}

// foreign keeps the seqs this replica did not store (forgetting the own ones: each
// notification comes once).
func (r *docRelay) foreign(seqs []int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := seqs[:0:0]
	for _, q := range seqs {
		if _, mine := r.own[q]; mine {
			delete(r.own, q)
			continue
		}
		out = append(out, q)
	}
	return out
}

// sendToPeers sends a y-protocols message about k to the peers of k but except.
func (h *Hub) sendToPeers(k docKey, msg []byte, except *session) {
	for _, s := range h.relay.peersOf(k, except) {
		s.sendDoc(k.name, msg)
	}
}

// yjsUpdatesStored relays the updates other replicas (or REST) stored to this replica's peers
// of their documents.
func (h *Hub) yjsUpdatesStored(rows []ChangeRow) {
	byDoc := map[docKey][]int64{}
	for _, r := range rows {
		k := docKey{r.Room, r.Name}
		byDoc[k] = append(byDoc[k], r.Seq)
	}
	for k, seqs := range byDoc {
		seqs = h.relay.foreign(seqs)
		if len(seqs) == 0 || len(h.relay.peersOf(k, nil)) == 0 {
			continue
		}
		ctx, cancel := workContext()
		updates, err := h.cfg.Docs.Updates(ctx, k.room, k.name, seqs)
		cancel()
		if err != nil {
			h.cfg.Logger.Error("read yjs updates to relay", "room", k.room, "doc", k.name, "err", err)
			continue
		}
		if len(updates) < len(seqs) {
			// Folded by a compaction before this replica got to them (it lagged past FoldAge):
			// the whole document carries them, and clients ignore what they have.
			h.resyncDoc(k)
			continue
		}
		for _, u := range updates {
			h.sendToPeers(k, yjs.EncodeSyncUpdate(u.Update), nil)
		}
	}
}

// resyncDoc sends a document whole to its peers here.
func (h *Hub) resyncDoc(k docKey) {
	ctx, cancel := workContext()
	defer cancel()
	doc, err := h.cfg.Docs.Load(ctx, k.room, k.name)
	if err != nil {
		h.cfg.Logger.Error("reload yjs document", "room", k.room, "doc", k.name, "err", err)
		return
	}
	h.sendToPeers(k, yjs.EncodeSyncUpdate(doc), nil)
}

// recordsDeleted closes the field documents (<collection>/<recordId>/<field>) of deleted
// records on the sockets that opened them: a document follows its record's rules, and a record
// that is gone can be read by nobody. Its stored rows went with the record already; an update a
// socket sends before this runs is refused (Docs.Append holds the record, and finds none).
func (h *Hub) recordsDeleted(rows []ChangeRow) {
	gone := map[string]bool{}
	for _, r := range rows {
		gone[r.Room+"\x00"+r.Collection+"/"+r.ID+"/"] = true
	}
	h.relay.mu.Lock()
	var affected []*session
	for k, peers := range h.relay.peers {
		if collection, id, ok := protocol.FieldDoc(k.name); ok && gone[k.room+"\x00"+collection+"/"+id+"/"] {
			for s := range peers {
				affected = append(affected, s)
			}
		}
	}
	h.relay.mu.Unlock()
	for _, s := range affected {
		ctx, cancel := workContext()
		s.closeUnreadableDocs(ctx)
		cancel()
	}
}
