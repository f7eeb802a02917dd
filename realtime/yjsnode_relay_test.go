package realtime_test

// HARNESS TEST: proves the yjsnode harness (yjsnode_test.go), not the server. A stand-in server
// speaks just enough of PROTOCOL.md §6 on both endpoints — sync with a merged state, relay of
// updates and awareness to the document's other sockets, a refusal for one document name — so
// real yjs clients can converge through it in both modes.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/yjs"
)

// yjsRelayToken is the only token the stand-in accepts, so a client that drops it is noticed.
const yjsRelayToken = "harness-token"

// yjsRelayDenied is the document the stand-in refuses, the way the server refuses a viewer.
const yjsRelayDenied = "denied"

type yjsRelay struct {
	t   *testing.T
	srv *httptest.Server
	wg  sync.WaitGroup // handlers still running

	mu    sync.Mutex // guards everything below and serializes every socket write
	docs  map[string]*yjsRelayDoc
	conns map[*websocket.Conn]bool
}

type yjsRelayDoc struct {
	state []byte                 // every update received, merged
	peers map[*yjsRelayPeer]bool // sockets editing the document
}

// yjsRelayPeer is one socket's view of one document: plain sockets carry one document without
// a name prefix; mux sockets prefix every frame with its document's name.
type yjsRelayPeer struct {
	ws  *websocket.Conn
	doc string
	mux bool
}

func startYjsRelay(t *testing.T) *yjsRelay {
	r := &yjsRelay{t: t, docs: map[string]*yjsRelayDoc{}, conns: map[*websocket.Conn]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/rooms/{room}/yjs/{doc...}", func(w http.ResponseWriter, req *http.Request) {
		r.serve(w, req, req.PathValue("doc"))
	})
	mux.HandleFunc("GET /v1/rooms/{room}/ws", func(w http.ResponseWriter, req *http.Request) {
		r.serve(w, req, "")
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.close)
	return r
}

// close ends every socket and waits for the handlers, so no goroutine outlives the test.
func (r *yjsRelay) close() {
	r.srv.Close()
	r.mu.Lock()
	for c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// serve runs one socket: plainDoc is its document on the plain endpoint, "" on the main socket.
func (r *yjsRelay) serve(w http.ResponseWriter, req *http.Request, plainDoc string) {
	if req.URL.Query().Get("token") != yjsRelayToken {
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	r.wg.Add(1)
	defer r.wg.Done()
	ws, err := (&websocket.Upgrader{}).Upgrade(w, req, nil)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.conns[ws] = true
	peers := map[string]*yjsRelayPeer{}
	if plainDoc == "" {
		_ = ws.WriteJSON(map[string]any{"type": "hello", "protocol": 1, "room": req.PathValue("room")})
	}
	r.mu.Unlock()
	defer r.leave(ws, peers)
	for {
		typ, frame, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if typ != websocket.BinaryMessage {
			continue
		}
		doc, msg := plainDoc, frame
		if plainDoc == "" {
			if doc, msg, err = yjs.DecodeFrame(frame); err != nil {
				r.t.Errorf("relay: bad frame %x: %v", frame, err)
				return
			}
		}
		if peers[doc] == nil {
			peers[doc] = &yjsRelayPeer{ws: ws, doc: doc, mux: plainDoc == ""}
		}
		r.handle(peers[doc], msg)
	}
}

func (r *yjsRelay) leave(ws *websocket.Conn, peers map[string]*yjsRelayPeer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range peers {
		if d := r.docs[p.doc]; d != nil {
			delete(d.peers, p)
		}
	}
	delete(r.conns, ws)
	_ = ws.Close()
}

// handle answers or relays one y-protocols message as the server would, minus storage and
// rules: a SyncStep1 gets what the client lacks and the relay's own SyncStep1; updates are
// merged and relayed; awareness is relayed. It runs on a handler goroutine, so it reports with
// t.Errorf, never t.Fatal.
func (r *yjsRelay) handle(p *yjsRelayPeer, msg []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.doc == yjsRelayDenied {
		r.deny(p)
		return
	}
	d := r.docs[p.doc]
	if d == nil {
		d = &yjsRelayDoc{state: []byte{0, 0}, peers: map[*yjsRelayPeer]bool{}} // the empty update
		r.docs[p.doc] = d
	}
	d.peers[p] = true
	m, err := yjs.DecodeMessage(msg)
	if err != nil {
		r.t.Errorf("relay: bad message %x: %v", msg, err)
		return
	}
	switch {
	case m.Type == yjs.MessageSync && m.Sync.Kind == yjs.SyncStep1:
		diff, err := yjs.DiffUpdate(d.state, m.Sync.Payload)
		sv, err2 := yjs.StateVectorFromUpdate(d.state)
		if err != nil || err2 != nil {
			r.t.Errorf("relay: sync step 1: %v, %v", err, err2)
			return
		}
		r.send(p, yjs.EncodeSyncStep2(diff))
		r.send(p, yjs.EncodeSyncStep1(sv))
	case m.Type == yjs.MessageSync:
		merged, err := yjs.MergeUpdates(d.state, m.Sync.Payload)
		if err != nil {
			r.t.Errorf("relay: merge: %v", err)
			return
		}
		d.state = merged
		r.relay(d, p, yjs.EncodeSyncUpdate(m.Sync.Payload))
	case m.Type == yjs.MessageAwareness:
		r.relay(d, p, msg)
	}
}

// deny refuses the document: an auth message on the plain endpoint (what y-websocket knows),
// an error text frame on the main socket (PROTOCOL.md §6).
func (r *yjsRelay) deny(p *yjsRelayPeer) {
	if !p.mux {
		r.send(p, yjs.EncodeAuthDenied("harness: forbidden"))
		return
	}
	b, _ := json.Marshal(map[string]any{"type": "error", "doc": p.doc, "code": "forbidden", "message": "harness"})
	_ = p.ws.WriteMessage(websocket.TextMessage, b)
}

func (r *yjsRelay) relay(d *yjsRelayDoc, from *yjsRelayPeer, msg []byte) {
	for p := range d.peers {
		if p != from {
			r.send(p, msg)
		}
	}
}

// send writes one message to p; the caller holds r.mu. A failed write is the peer leaving.
func (r *yjsRelay) send(p *yjsRelayPeer, msg []byte) {
	if p.mux {
		msg = yjs.EncodeFrame(p.doc, msg)
	}
	_ = p.ws.WriteMessage(websocket.BinaryMessage, msg)
}

func (r *yjsRelay) client(t *testing.T, mode, doc, name string) *yjsNode {
	return startYjsNode(t, yjsNodeConfig{
		Mode: mode, URL: r.srv.URL, Room: "harness", Doc: doc, Token: yjsRelayToken, Name: name,
	})
}

// TestYjsNodeHarness (HARNESS TEST) proves that two real yjs clients converge through the
// stand-in relay in each pairing of modes: late join, text with emoji, formatting, map, awareness
// and its removal on close; and that refusals reach the test as events.
func TestYjsNodeHarness(t *testing.T) {
	r := startYjsRelay(t)
	for _, modes := range [][2]string{{"plain", "plain"}, {"mux", "mux"}, {"plain", "mux"}} {
		t.Run(modes[0]+"-"+modes[1], func(t *testing.T) {
			t.Parallel()
			yjsNodeHarnessPair(t, r, modes[0], modes[1])
		})
	}
	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		plain := r.client(t, "plain", yjsRelayDenied, "plain")
		mux := r.client(t, "mux", yjsRelayDenied, "mux")
		e := plain.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "authDenied" })
		require.Equal(t, "harness: forbidden", e.Reason)
		mux.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "server" && e.Msg["code"] == "forbidden" })
	})
}

func yjsNodeHarnessPair(t *testing.T, r *yjsRelay, modeA, modeB string) {
	doc := "harness/" + modeA + "-" + modeB // a slash, as field documents have
	a := r.client(t, modeA, doc, "A")
	a.WaitSynced()
	a.Insert(0, "hi 😀")
	a.MapSet("k", map[string]any{"n": 1.0, "s": "x"})

	b := r.client(t, modeB, doc, "B")
	b.WaitSynced()
	b.WaitText("hi 😀") // from the relay's merged state: a late joiner gets everything
	if modeB == "mux" {
		b.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "server" && e.Msg["type"] == "hello" })
	}
	b.Insert(5, "!") // after the emoji: yjs counts UTF-16 units
	a.WaitText("hi 😀!")
	a.Format(0, 2, map[string]any{"bold": true})
	b.Delete(0, 1)
	b.WaitUntil("A's formatting", func() bool { return reflect.DeepEqual(a.Delta(), b.Delta()) })
	require.Equal(t, []any{
		map[string]any{"insert": "i", "attributes": map[string]any{"bold": true}},
		map[string]any{"insert": " 😀!"},
	}, b.Delta())
	require.Equal(t, a.JSON(), b.JSON())
	require.Equal(t, map[string]any{"t": "i 😀!", "m": map[string]any{"k": map[string]any{"n": 1.0, "s": "x"}}}, b.JSON())

	b.SetAwareness(map[string]any{"user": "b"})
	a.WaitUntil("B's awareness", func() bool { return reflect.DeepEqual(a.Peer(b.ClientID), map[string]any{"user": "b"}) })
	b.Close()
	a.WaitUntil("B's awareness removed", func() bool { return a.Peer(b.ClientID) == nil })
	a.Close()
}
