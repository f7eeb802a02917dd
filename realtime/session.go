package realtime

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/recordroom/recordroom/access"
)

// Admission is who a WebSocket belongs to, decided by the API before the upgrade.
type Admission struct {
	Room   string
	Caller access.Caller
	// Expires is when the caller's token expires (zero: never, for anonymous viewers).
	Expires time.Time
	Widget  string
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	// Any origin: a socket is only as powerful as the token it carries, which a foreign page
	// does not have.
	CheckOrigin: func(*http.Request) bool { return true },
	// Pooled write buffers: idle connections then hold none.
	WriteBufferPool: &sync.Pool{},
}

// session is one WebSocket: a reader (the handler's goroutine) and a writer goroutine, joined
// by a bounded send queue.
type session struct {
	hub    *Hub
	conn   *websocket.Conn
	room   string
	widget string
	// plainDoc is the one Yjs document of a plain y-websocket socket (GET …/yjs/{doc}): its binary
	// frames carry no document name, and it speaks no JSON. "" for the main socket.
	plainDoc string
	send     chan outFrame
	queued   atomic.Int64 // bytes in send

	closeOnce  sync.Once
	done       chan struct{} // closed by close: the writer says goodbye and stops
	readerDone chan struct{} // closed when the read loop ends
	closeCode  int
	closeText  string

	mu     sync.Mutex // the caller and the subscriptions: reader, fan-out and resync share them
	caller access.Caller
	subs   map[string]*subscription
	writes uint64              // own writes applied so far (read-your-writes)
	docs   map[string]*openDoc // Yjs documents this socket opened (SyncStep1)
}

// outFrame is one queued message: JSON text, or binary Yjs.
type outFrame struct {
	data   []byte
	binary bool
}

// Serve upgrades the request and runs the main socket (PROTOCOL.md §4) until it closes.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, a Admission) {
	h.serve(w, r, a, "")
}

// ServeDoc upgrades the request and runs a plain y-websocket socket for one document
// (PROTOCOL.md §6) until it closes.
func (h *Hub) ServeDoc(w http.ResponseWriter, r *http.Request, a Admission, doc string) {
	h.serve(w, r, a, doc)
}

func (h *Hub) serve(w http.ResponseWriter, r *http.Request, a Admission, plainDoc string) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	s := &session{
		hub: h, conn: conn, room: a.Room, widget: a.Widget, caller: a.Caller, plainDoc: plainDoc,
		send: make(chan outFrame, h.cfg.SendQueue), done: make(chan struct{}), readerDone: make(chan struct{}),
		subs: map[string]*subscription{}, docs: map[string]*openDoc{},
	}
	if !h.add(s) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeServiceRestart, "server restarting"),
			time.Now().Add(time.Second))
		conn.Close()
		return
	}
	defer h.remove(s)

	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		s.writeLoop()
	}()
	if !a.Expires.IsZero() {
		expiry := time.AfterFunc(time.Until(a.Expires), func() { s.close(CloseTokenExpired, "token expired") })
		defer expiry.Stop()
	}
	if plainDoc == "" {
		s.hello()
	}
	s.readLoop()
	s.close(websocket.CloseNormalClosure, "")
	<-writerDone
	s.leaveDocs()
	s.mu.Lock()
	h.metrics.subscriptions.Sub(float64(len(s.subs)))
	s.subs = nil
	s.mu.Unlock()
}

func (s *session) hello() {
	s.mu.Lock()
	caller := s.caller
	s.mu.Unlock()
	u := helloUser{Role: string(caller.Role)}
	if caller.UserID != "" {
		u.ID = &caller.UserID
	}
	s.sendJSON(helloMessage{Type: "hello", Protocol: ProtocolVersion, Room: s.room, User: u, Replica: s.hub.cfg.Replica})
}

// readLoop handles the client's messages one at a time until the socket fails or closes.
func (s *session) readLoop() {
	defer close(s.readerDone)
	wait := 2 * s.hub.cfg.PingInterval
	s.conn.SetReadLimit(s.hub.cfg.MaxFrameBytes) // larger frames: gorilla closes with 1009
	_ = s.conn.SetReadDeadline(time.Now().Add(wait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(wait)) })
	for {
		kind, frame, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		_ = s.conn.SetReadDeadline(time.Now().Add(wait))
		select {
		case <-s.done:
			continue // closing: drain until the client answers the close frame
		default:
		}
		switch {
		case kind == websocket.BinaryMessage:
			s.handleBinary(frame)
		case s.plainDoc == "":
			s.handle(frame)
		}
		// A plain document socket ignores text frames: y-websocket sends none.
	}
}

// writeLoop sends queued messages and pings, and the close frame once close is called.
func (s *session) writeLoop() {
	ticker := time.NewTicker(s.hub.cfg.PingInterval)
	defer ticker.Stop()
	defer s.conn.Close()
	deadline := func() time.Time { return time.Now().Add(s.hub.cfg.WriteTimeout) }
	for {
		// A close outranks queued messages: a slow client is not fed any further.
		select {
		case <-s.done:
			_ = s.conn.SetWriteDeadline(deadline())
			_ = s.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(s.closeCode, s.closeText))
			// Closing the socket with unread input would reset it and lose the close frame:
			// let the reader drain until the client answers, for a moment.
			select {
			case <-s.readerDone:
			case <-time.After(time.Second):
			}
			return
		default:
		}
		select {
		case msg := <-s.send:
			s.queued.Add(-int64(len(msg.data)))
			kind := websocket.TextMessage
			if msg.binary {
				kind = websocket.BinaryMessage
			}
			_ = s.conn.SetWriteDeadline(deadline())
			if err := s.conn.WriteMessage(kind, msg.data); err != nil {
				s.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ticker.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, deadline()); err != nil {
				s.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-s.done:
		}
	}
}

// close ends the session with a close code; the first call wins.
func (s *session) close(code int, text string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, text
		close(s.done)
	})
}

// sendJSON queues a message. A client whose queue is full has fallen too far behind: it is
// closed with 4008 rather than slowing the fan-out for everyone else.
func (s *session) sendJSON(v any) {
	msg, err := json.Marshal(v)
	if err != nil {
		s.hub.cfg.Logger.Error("encode websocket message", "err", err)
		return
	}
	s.enqueue(outFrame{data: msg})
}

// enqueue queues a frame for the writer.
func (s *session) enqueue(f outFrame) {
	n := int64(len(f.data))
	if s.queued.Add(n) > s.hub.cfg.MaxQueueBytes {
		s.queued.Add(-n)
		s.tooSlow()
		return
	}
	select {
	case <-s.done:
		s.queued.Add(-n)
	case s.send <- f:
		s.hub.metrics.messages.Inc()
	default:
		s.queued.Add(-n)
		s.tooSlow()
	}
}

func (s *session) tooSlow() {
	s.hub.metrics.slowClosed.Inc()
	s.close(CloseTooSlow, "too slow: resubscribe")
}

func (s *session) sendError(e errorMessage) {
	e.Type = "error"
	s.hub.metrics.errors.WithLabelValues(string(e.Code)).Inc()
	s.sendJSON(e)
}

// sendDelta sends a subscription's changes, if any.
func (s *session) sendDelta(sub string, d delta) {
	if d.empty() {
		return
	}
	if d.upserts == nil {
		d.upserts = []any{}
	}
	if d.removes == nil {
		d.removes = []string{}
	}
	s.sendJSON(changesMessage{Type: "changes", Sub: sub, Upserts: d.upserts, Removes: d.removes})
}

// workTimeout bounds work done on a session's behalf outside a request (a message, a
// notification, a resync): never forever.
const workTimeout = 30 * time.Second

func workContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), workTimeout)
}
