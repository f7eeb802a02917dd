package client

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// fakeClock is a Clock the test drives: each wait the client starts is handed to the test,
// which checks its duration and fires it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits chan fakeWait
}

type fakeWait struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeClock() *fakeClock {
	// Buffered: a client that waits is never blocked by a test that stopped looking.
	return &fakeClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), waits: make(chan fakeWait, 100)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	f.waits <- fakeWait{d: d, fire: ch}
	return ch
}

// next returns the wait the client starts next.
func (f *fakeClock) next(t *testing.T) fakeWait {
	t.Helper()
	select {
	case w := <-f.waits:
		return w
	case <-time.After(20 * time.Second):
		t.Fatal("the client never waited")
		return fakeWait{}
	}
}

func (w fakeWait) elapse() { w.fire <- time.Time{} }

// fakeServer speaks just enough of the protocol to script what a real server rarely does: it
// says hello, then hands each connection to the test.
type fakeServer struct {
	srv   *httptest.Server
	conns chan *fakeConn
}

type fakeConn struct {
	ws     *websocket.Conn
	header http.Header
	frames chan map[string]any // what the client sent
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{conns: make(chan *fakeConn, 100)}
	upgrader := websocket.Upgrader{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		fc := &fakeConn{ws: ws, header: r.Header, frames: make(chan map[string]any, 100)}
		hello, _ := json.Marshal(map[string]any{"type": "hello", "protocol": 1, "room": "r1",
			"user": map[string]any{"id": "alice", "role": "admin"}, "replica": "fake"})
		if ws.WriteMessage(websocket.TextMessage, hello) != nil {
			return
		}
		f.conns <- fc
		for {
			_, frame, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m map[string]any
			_ = json.Unmarshal(frame, &m)
			select {
			case fc.frames <- m:
			default: // the test does not read them
			}
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) url() string { return f.srv.URL }

func (f *fakeServer) next(t *testing.T) *fakeConn {
	t.Helper()
	select {
	case fc := <-f.conns:
		return fc
	case <-time.After(20 * time.Second):
		t.Fatal("the client never connected")
		return nil
	}
}

// close ends the connection with a close code, as the server would.
func (fc *fakeConn) close(t *testing.T, code int) {
	t.Helper()
	msg := websocket.FormatCloseMessage(code, "scripted")
	require.NoError(t, fc.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)))
}

// frame returns the next message the client sent.
func (fc *fakeConn) frame(t *testing.T) map[string]any {
	t.Helper()
	select {
	case m := <-fc.frames:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("the client sent nothing")
		return nil
	}
}

// send writes a message to the client.
func (fc *fakeConn) send(t *testing.T, m map[string]any) {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, fc.ws.WriteMessage(websocket.TextMessage, b))
}
