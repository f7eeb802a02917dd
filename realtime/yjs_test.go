package realtime_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/yjstest"
	"github.com/recordroom/recordroom/yjs"
)

// yjsPeer is a bare Go client of the Yjs frames: it sends y-protocols messages and collects
// what the server sends, decoded.
type yjsPeer struct {
	t     *testing.T
	conn  *websocket.Conn
	plain string // the document of a plain y-websocket socket; "" on the main socket
	in    chan yjsFrame
}

// yjsFrame is one frame received: a y-protocols message about doc, or JSON text.
type yjsFrame struct {
	doc  string
	msg  yjs.Message
	text map[string]any
}

func dialYjs(t *testing.T, r *wsReplica, user, path string) *yjsPeer {
	t.Helper()
	u := "ws://" + r.addr + "/v1/rooms/" + room + path + "?token=" + url.QueryEscape(wsToken(t, user))
	conn, resp, err := (&websocket.Dialer{HandshakeTimeout: wsWait}).Dial(u, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	p := &yjsPeer{t: t, conn: conn, in: make(chan yjsFrame, 1024)}
	if name, ok := strings.CutPrefix(path, "/yjs/"); ok {
		p.plain, _ = url.PathUnescape(name)
	}
	go p.read()
	t.Cleanup(func() { conn.Close() })
	return p
}

func (p *yjsPeer) read() {
	defer close(p.in)
	for {
		kind, b, err := p.conn.ReadMessage()
		if err != nil {
			return
		}
		var f yjsFrame
		if kind == websocket.TextMessage {
			_ = json.Unmarshal(b, &f.text)
		} else {
			f.doc = p.plain
			if p.plain == "" {
				f.doc, b, err = yjs.DecodeFrame(b)
			}
			if err == nil {
				f.msg, err = yjs.DecodeMessage(b)
			}
			if err != nil {
				f.text = map[string]any{"undecodable": err.Error()}
			}
		}
		p.in <- f
	}
}

func (p *yjsPeer) send(doc string, msg []byte) {
	p.t.Helper()
	if p.plain == "" {
		msg = yjs.EncodeFrame(doc, msg)
	}
	require.NoError(p.t, p.conn.WriteMessage(websocket.BinaryMessage, msg))
}

// next returns the next frame that pred accepts, failing after wsWait.
func (p *yjsPeer) next(what string, pred func(yjsFrame) bool) yjsFrame {
	p.t.Helper()
	timeout := time.After(wsWait)
	for {
		select {
		case f, ok := <-p.in:
			require.True(p.t, ok, "connection closed waiting for %s", what)
			if pred(f) {
				return f
			}
		case <-timeout:
			p.t.Fatalf("no %s within %s", what, wsWait)
		}
	}
}

func (p *yjsPeer) nextSync(doc string, kind yjs.SyncKind) []byte {
	p.t.Helper()
	return p.next("sync message", func(f yjsFrame) bool {
		return f.doc == doc && f.msg.Type == yjs.MessageSync && f.msg.Sync.Kind == kind
	}).msg.Sync.Payload
}

func (p *yjsPeer) nextError(doc string) map[string]any {
	p.t.Helper()
	return p.next("error", func(f yjsFrame) bool { return f.text["type"] == "error" && f.text["doc"] == doc }).text
}

// open sends SyncStep1 with an empty state vector and returns the document the server sends.
func (p *yjsPeer) open(doc string) []byte {
	p.t.Helper()
	p.send(doc, yjs.EncodeSyncStep1(yjs.EncodeStateVector(nil)))
	update := p.nextSync(doc, yjs.SyncStep2)
	p.nextSync(doc, yjs.SyncStep1) // the server's state vector follows
	return update
}

// historyUpdates are the updates of a recorded multi-client yjs history.
func historyUpdates(t *testing.T) [][]byte { return yjstest.History(t, "history-01.json") }

func stateVector(t *testing.T, updates ...[]byte) map[uint64]uint64 {
	t.Helper()
	merged, err := yjs.MergeUpdates(updates...)
	require.NoError(t, err)
	sv, err := yjs.StateVectorFromUpdate(merged)
	require.NoError(t, err)
	m, err := yjs.DecodeStateVector(sv)
	require.NoError(t, err)
	return m
}

// Updates sent on one replica are stored and reach a peer on the other; a late joiner and the
// REST route get the whole document.
func TestYjsUpdatesRelayAcrossReplicas(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	updates := historyUpdates(t)
	a := dialYjs(t, c.replicas[0], "alice", "/ws")
	b := dialYjs(t, c.replicas[1], "bob", "/ws")
	a.open("notes")
	received := [][]byte{b.open("notes")}

	half := len(updates) / 2
	for _, u := range updates[:half] {
		a.send("notes", yjs.EncodeSyncUpdate(u))
	}
	for len(received) <= half {
		received = append(received, b.nextSync("notes", yjs.SyncUpdate))
	}
	require.Equal(t, stateVector(t, updates[:half]...), stateVector(t, received...))

	// A late joiner on the plain y-websocket endpoint gets everything stored so far.
	late := dialYjs(t, c.replicas[1], "bob", "/yjs/notes")
	require.Equal(t, stateVector(t, updates[:half]...), stateVector(t, late.open("notes")))
	for _, u := range updates[half:] {
		late.send("notes", yjs.EncodeSyncUpdate(u))
	}
	for len(received) <= len(updates) {
		received = append(received, b.nextSync("notes", yjs.SyncUpdate))
	}
	want := stateVector(t, updates...)
	require.Equal(t, want, stateVector(t, received...))

	resp := c.replicas[0].rest(t, http.StatusOK, "alice", http.MethodGet, "/v1/rooms/"+room+"/docs/notes", nil)
	require.Equal(t, want, stateVector(t, resp.Body))
}

// A viewer reads documents but its updates are refused and never stored; malformed updates too.
func TestYjsRefusesViewerAndMalformedUpdates(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "vic")
	r := c.replicas[0]
	r.setRole(t, "alice", room, "vic", "viewer")
	updates := historyUpdates(t)
	a := dialYjs(t, r, "alice", "/ws")
	a.open("doc")
	a.send("doc", yjs.EncodeSyncUpdate(updates[0]))
	a.send("doc", yjs.EncodeSyncUpdate([]byte{1, 2, 3, 250, 251}))
	require.Equal(t, "bad_request", a.nextError("doc")["code"])

	v := dialYjs(t, r, "vic", "/ws")
	require.Equal(t, stateVector(t, updates[0]), stateVector(t, v.open("doc")))
	v.send("doc", yjs.EncodeSyncUpdate(updates[1]))
	require.Equal(t, "forbidden", v.nextError("doc")["code"])

	// On the plain endpoint the refusal is y-protocols' permission-denied message.
	vp := dialYjs(t, r, "vic", "/yjs/doc")
	vp.open("doc")
	vp.send("doc", yjs.EncodeSyncUpdate(updates[1]))
	denied := vp.next("auth denied", func(f yjsFrame) bool { return f.msg.Type == yjs.MessageAuth })
	require.Contains(t, denied.msg.AuthDenied, "forbidden")

	doc := r.rest(t, http.StatusOK, "alice", http.MethodGet, "/v1/rooms/"+room+"/docs/doc", nil).Body
	require.Equal(t, stateVector(t, updates[0]), stateVector(t, doc), "only alice's update was stored")
}

// A field document follows its record's rules: owner-scoped records are their creator's alone.
func TestYjsFieldDocumentsFollowRecordRules(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	r := c.replicas[0]
	r.restCreate(t, "bob", room, "own", "b1", map[string]any{})
	update := historyUpdates(t)[0]

	b := dialYjs(t, r, "bob", "/ws")
	b.open("own/b1/body")
	b.send("own/b1/body", yjs.EncodeSyncUpdate(update))
	b.open("own/b1/body") // a socket's frames are handled in order: the update is stored now
	a := dialYjs(t, r, "alice", "/ws")
	a.send("own/b1/body", yjs.EncodeSyncStep1(yjs.EncodeStateVector(nil)))
	require.Equal(t, "not_found", a.nextError("own/b1/body")["code"], "an admin cannot read another user's owner record")
	a.send("own/missing/body", yjs.EncodeSyncStep1(yjs.EncodeStateVector(nil)))
	require.Equal(t, "not_found", a.nextError("own/missing/body")["code"])
	r.rest(t, http.StatusNotFound, "alice", http.MethodGet, "/v1/rooms/"+room+"/docs/own/b1/body", nil)

	doc := r.rest(t, http.StatusOK, "bob", http.MethodGet, "/v1/rooms/"+room+"/docs/own/b1/body", nil).Body
	require.Equal(t, stateVector(t, update), stateVector(t, doc))

	// When the record goes, so does its document, for the sockets that had it open.
	r.restRemove(t, "bob", room, "own", "b1")
	require.Equal(t, "forbidden", b.nextError("own/b1/body")["code"])
	r.rest(t, http.StatusNotFound, "bob", http.MethodGet, "/v1/rooms/"+room+"/docs/own/b1/body", nil)
	b.send("own/b1/body", yjs.EncodeSyncUpdate(historyUpdates(t)[1]))
	require.Equal(t, "not_found", b.nextError("own/b1/body")["code"], "no writing into a deleted record's document")

	// Its stored rows went with it: a record made again with that id starts with a new document.
	r.restCreate(t, "bob", room, "own", "b1", map[string]any{})
	doc = r.rest(t, http.StatusOK, "bob", http.MethodGet, "/v1/rooms/"+room+"/docs/own/b1/body", nil).Body
	require.Empty(t, stateVector(t, doc))
	require.Empty(t, stateVector(t, b.open("own/b1/body")))
}

// Awareness is relayed across replicas, answered to query-awareness, and announced gone when
// its socket closes.
func TestYjsAwareness(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	a := dialYjs(t, c.replicas[0], "alice", "/ws")
	b := dialYjs(t, c.replicas[1], "bob", "/ws")
	a.open("doc")
	b.open("doc")
	update, err := yjs.EncodeAwareness([]yjs.AwarenessEntry{{ClientID: 7, Clock: 1, State: json.RawMessage(`{"user":"alice"}`)}})
	require.NoError(t, err)
	a.send("doc", yjs.EncodeAwarenessMessage(update))

	entries := func(f yjsFrame) []yjs.AwarenessEntry {
		e, err := yjs.DecodeAwareness(f.msg.Awareness)
		require.NoError(t, err)
		return e
	}
	isAwareness := func(f yjsFrame) bool { return f.doc == "doc" && f.msg.Type == yjs.MessageAwareness }
	got := entries(b.next("awareness", isAwareness))
	require.Equal(t, uint64(7), got[0].ClientID)
	require.JSONEq(t, `{"user":"alice"}`, string(got[0].State))

	b.send("doc", yjs.EncodeQueryAwareness())
	got = entries(b.next("awareness answer", isAwareness))
	require.Len(t, got, 1)
	require.Equal(t, uint64(7), got[0].ClientID)

	// Who is editing is told only to sockets that opened the document.
	stranger := dialYjs(t, c.replicas[0], "bob", "/ws")
	stranger.send("doc", yjs.EncodeQueryAwareness())
	stranger.send("other", yjs.EncodeSyncStep1(yjs.EncodeStateVector(nil)))
	f := stranger.next("the other document", func(f yjsFrame) bool { return isAwareness(f) || f.doc == "other" })
	require.Equal(t, "other", f.doc, "no awareness for a document the socket did not open")

	require.NoError(t, a.conn.Close())
	gone := entries(b.next("removal", isAwareness))
	require.Equal(t, uint64(7), gone[0].ClientID)
	require.Equal(t, uint64(2), gone[0].Clock)
	require.True(t, gone[0].Removed())
}

// Awareness is bounded: a socket that announces more clients for a document than a browser tab
// has is refused with limit, and nothing of that update reaches anyone (a viewer may send
// awareness, so invented client ids must not fill a replica's memory).
func TestYjsAwarenessIsBounded(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	r := c.replicas[0]
	a := dialYjs(t, r, "alice", "/ws")
	b := dialYjs(t, r, "bob", "/ws")
	a.open("doc")
	b.open("doc")
	flood := make([]yjs.AwarenessEntry, 17)
	for i := range flood {
		flood[i] = yjs.AwarenessEntry{ClientID: uint64(1000 + i), Clock: 1, State: json.RawMessage(`{"x":1}`)}
	}
	update, err := yjs.EncodeAwareness(flood)
	require.NoError(t, err)
	a.send("doc", yjs.EncodeAwarenessMessage(update))
	require.Equal(t, "limit", a.nextError("doc")["code"])

	one, err := yjs.EncodeAwareness(flood[:1])
	require.NoError(t, err)
	a.send("doc", yjs.EncodeAwarenessMessage(one)) // one client is fine
	isAwareness := func(f yjsFrame) bool { return f.doc == "doc" && f.msg.Type == yjs.MessageAwareness }
	got, err := yjs.DecodeAwareness(b.next("the one client", isAwareness).msg.Awareness)
	require.NoError(t, err)
	require.Len(t, got, 1, "the refused flood was not relayed first")
	b.send("doc", yjs.EncodeQueryAwareness())
	got, err = yjs.DecodeAwareness(b.next("awareness answer", isAwareness).msg.Awareness)
	require.NoError(t, err)
	require.Len(t, got, 1, "nor remembered")
}

// A forged awareness notification (anyone who can log in may NOTIFY on the change channel) is
// not relayed to clients; a replica's own, signed with the database's key, is.
func TestYjsForgedAwarenessIsDropped(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	b := dialYjs(t, c.replicas[1], "bob", "/ws")
	b.open("doc")
	forged, err := yjs.EncodeAwareness([]yjs.AwarenessEntry{{ClientID: 66, Clock: 1, State: json.RawMessage(`{"user":"mallory"}`)}})
	require.NoError(t, err)
	payload, err := json.Marshal(map[string]any{"table": "awareness", "op": "update", "ts": time.Now().UnixMilli(),
		"rows": []map[string]any{{"room": room, "name": "doc", "replica": "elsewhere", "update": forged, "mac": make([]byte, 32)}}})
	require.NoError(t, err)
	_, err = c.db.Pool(t).Exec(context.Background(), "SELECT pg_notify('recordroom_changes', $1)", string(payload))
	require.NoError(t, err)

	a := dialYjs(t, c.replicas[0], "alice", "/ws")
	a.open("doc")
	real, err := yjs.EncodeAwareness([]yjs.AwarenessEntry{{ClientID: 7, Clock: 1, State: json.RawMessage(`{"user":"alice"}`)}})
	require.NoError(t, err)
	a.send("doc", yjs.EncodeAwarenessMessage(real)) // notified after the forgery: it arrives after it
	isAwareness := func(f yjsFrame) bool { return f.doc == "doc" && f.msg.Type == yjs.MessageAwareness }
	got, err := yjs.DecodeAwareness(b.next("alice's awareness", isAwareness).msg.Awareness)
	require.NoError(t, err)
	require.Equal(t, uint64(7), got[0].ClientID, "the forged state never came first")
	b.send("doc", yjs.EncodeQueryAwareness())
	got, err = yjs.DecodeAwareness(b.next("awareness answer", isAwareness).msg.Awareness)
	require.NoError(t, err)
	require.Len(t, got, 1, "and it is not remembered")
}

// Names and frames that are not what the protocol says are answered, and break nothing.
func TestYjsHostileFrames(t *testing.T) {
	t.Parallel()
	c := setup(t, 1)
	r := c.replicas[0]
	a := dialYjs(t, r, "alice", "/ws")
	require.NoError(t, a.conn.WriteMessage(websocket.BinaryMessage, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}))
	a.next("error", func(f yjsFrame) bool { return f.text["type"] == "error" && f.text["code"] == "bad_request" })
	a.send("doc", []byte{9, 9, 9})
	require.Equal(t, "bad_request", a.nextError("doc")["code"])
	a.send(strings.Repeat("d", 300), yjs.EncodeSyncStep1(yjs.EncodeStateVector(nil)))
	a.next("error", func(f yjsFrame) bool { return f.text["type"] == "error" && f.text["code"] == "bad_request" })
	a.send("doc", yjs.EncodeSyncStep1([]byte{5, 1}))
	require.Equal(t, "bad_request", a.nextError("doc")["code"], "a state vector that does not decode")

	// The socket still works, and so does REST.
	require.Empty(t, stateVector(t, a.open("doc")))
	resp := r.rest(t, http.StatusOK, "alice", http.MethodGet, "/v1/rooms/"+room+"/docs/doc", nil)
	require.Equal(t, yjs.EmptyUpdate(), resp.Body)
}
