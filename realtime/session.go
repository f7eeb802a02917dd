package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/protocol"
)

// Admission is who a WebSocket belongs to, decided by the API before the upgrade.
type Admission struct {
	Room   string
	Caller access.Caller
	// Expires is when the caller's token expires (zero: never, for anonymous viewers).
	Expires time.Time
	Widget  string
	// IP is the client's address (behind trusted proxies, the one they forwarded), for the
	// sockets-per-address limit.
	IP string
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  512, // per socket for its whole life: frames larger than this are read in parts
	WriteBufferSize: 4096,
	// The API has decided whether the page's origin may connect (RECORDROOM_CORS_ORIGINS; by
	// default any: a socket is only as powerful as the token it carries).
	CheckOrigin: func(*http.Request) bool { return true },
	// Pooled write buffers: idle connections then hold none.
	WriteBufferPool: &sync.Pool{},
}

// session is one WebSocket: a reader goroutine for its whole life, and a writer goroutine only
// while there is something to write, joined by a bounded send queue.
type session struct {
	hub    *Hub
	conn   *websocket.Conn
	room   string
	widget string
	// plainDoc is the one Yjs document of a plain y-websocket socket (GET …/yjs/{doc}): its binary
	// frames carry no document name, and it speaks no JSON. "" for the main socket.
	plainDoc string
	send     *sendQueue

	closeOnce  sync.Once
	done       chan struct{} // closed by close: the writer says goodbye and stops
	readerDone chan struct{} // closed when the read loop ends
	writerDone chan struct{} // closed when the last writer has closed the socket
	pinger     *time.Timer   // queues a ping every PingInterval (a timer: no goroutine while idle)
	closeCode  int
	closeText  string
	held       []string // the socket limits' keys this socket counts against (limits.go)

	mu     sync.Mutex // the caller and the subscriptions: reader, fan-out and resync share them
	caller access.Caller
	subs   map[string]*subscription
	docs   map[string]*openDoc // Yjs documents this socket opened (SyncStep1)

	pipe pipeline // the mutations in flight (pipeline.go)
}

// outFrame is one queued message: JSON text, binary Yjs, or a ping.
type outFrame struct {
	data   []byte
	binary bool
	ping   bool
}

// Serve upgrades the request to the main socket (PROTOCOL.md §4) and returns; the socket runs
// on goroutines of its own until it closes.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, a Admission) error {
	return h.serve(w, r, a, "")
}

// ServeDoc upgrades the request to a plain y-websocket socket for one document (PROTOCOL.md §6)
// and returns, as Serve does.
func (h *Hub) ServeDoc(w http.ResponseWriter, r *http.Request, a Admission, doc string) error {
	return h.serve(w, r, a, doc)
}

// serve upgrades and runs a socket. It returns an error, for the caller to answer, only before
// the upgrade: a socket over the caller's or the address's limit (limits.go).
func (h *Hub) serve(w http.ResponseWriter, r *http.Request, a Admission, plainDoc string) error {
	held, err := h.sockets.take(a)
	if err != nil {
		return err
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.sockets.release(held)
		return nil // the upgrader has answered the client
	}
	s := &session{
		hub: h, conn: conn, room: a.Room, widget: a.Widget, caller: a.Caller, plainDoc: plainDoc, held: held,
		send: newSendQueue(h.cfg.SendQueue, h.cfg.MaxQueueBytes), done: make(chan struct{}), readerDone: make(chan struct{}),
		writerDone: make(chan struct{}), subs: map[string]*subscription{}, docs: map[string]*openDoc{},
	}
	// Armed only once assigned: the callback reads s.pinger.
	s.pinger = time.AfterFunc(time.Hour, s.ping)
	s.pinger.Reset(h.cfg.PingInterval)
	if !h.add(s) {
		s.pinger.Stop()
		h.sockets.release(held)
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(protocol.CloseRestarting, "server restarting"),
			time.Now().Add(time.Second))
		conn.Close()
		return nil
	}
	// The socket gets a reader goroutine of its own and the handler returns: net/http's
	// connection goroutine, its buffers and the upgrade request would otherwise stay alive, for
	// every open socket, as long as it lasts.
	go s.run(a.Expires)
	return nil
}

// run is the session's reader goroutine: it reads until the socket closes, then waits for the
// writer's goodbye and leaves the hub.
func (s *session) run(expires time.Time) {
	defer s.hub.remove(s)
	if !expires.IsZero() {
		expiry := time.AfterFunc(time.Until(expires), func() { s.close(protocol.CloseTokenExpired, "token expired") })
		defer expiry.Stop()
	}
	if s.plainDoc == "" {
		s.hello()
	}
	s.readLoop()
	s.close(websocket.CloseNormalClosure, "")
	s.pipe.drain() // the mutations in flight land; their replies are dropped with the socket
	<-s.writerDone
	s.leaveDocs()
	s.mu.Lock()
	for id := range s.subs {
		s.dropSubLocked(id)
	}
	s.mu.Unlock()
}

func (s *session) hello() {
	s.mu.Lock()
	caller := s.caller
	s.mu.Unlock()
	u := protocol.Caller{Role: string(caller.Role)}
	if caller.UserID != "" {
		u.ID = &caller.UserID
	}
	s.sendJSON(protocol.Hello{Type: protocol.TypeHello, Protocol: protocol.Version, Room: s.room, User: u, Replica: s.hub.cfg.Replica})
}

// readLoop reads the client's messages until the socket fails or closes: mutations go on to the
// pipeline (pipeline.go), every other message is handled here, in order with them.
func (s *session) readLoop() {
	defer close(s.readerDone)
	wait := 2 * s.hub.cfg.PingInterval
	s.conn.SetReadLimit(s.hub.cfg.MaxFrameBytes) // larger frames: gorilla closes with 1009
	_ = s.conn.SetReadDeadline(time.Now().Add(wait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(wait)) })
	for {
		kind, frame, err := s.conn.ReadMessage()
		if errors.Is(err, websocket.ErrReadLimit) {
			s.lingerOversized()
		}
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

// lingerOversized reads and discards what follows a frame over the read limit, for a moment:
// gorilla has sent the close frame (1009), but the rest of the frame is still arriving, and a
// socket closed with unread input is reset, so that the client would see 1006 instead. The
// writer's goodbye ends the wait when the client has not finished within its second.
func (s *session) lingerOversized() {
	s.close(websocket.CloseMessageTooBig, "frame too large") // the close frame is gorilla's
	nc := s.conn.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = io.CopyN(io.Discard, nc, 4*s.hub.cfg.MaxFrameBytes)
}

// write is the session's writer. enqueue starts it when frames wait and none runs, close when
// the session ends; it returns when the queue is empty (an idle socket keeps no writer), or
// after the close frame. One runs at a time (sendQueue.writing), so frames go out in order.
func (s *session) write() {
	for {
		if s.closing() {
			s.goodbye() // a close outranks queued messages: a slow client is not fed any further
			return
		}
		frames, stop := s.send.next(s.closing)
		if stop {
			return
		}
		for _, f := range frames {
			if s.closing() {
				break
			}
			if err := s.writeFrame(f); err != nil {
				s.close(websocket.CloseAbnormalClosure, "")
				s.hangUp()
				return
			}
			s.send.written(f)
		}
	}
}

func (s *session) writeFrame(f outFrame) error {
	deadline := time.Now().Add(s.hub.cfg.WriteTimeout)
	switch {
	case f.ping:
		return s.conn.WriteControl(websocket.PingMessage, nil, deadline)
	case f.binary:
		_ = s.conn.SetWriteDeadline(deadline)
		return s.conn.WriteMessage(websocket.BinaryMessage, f.data)
	}
	_ = s.conn.SetWriteDeadline(deadline)
	return s.conn.WriteMessage(websocket.TextMessage, f.data)
}

// goodbye sends the close frame and closes the socket.
func (s *session) goodbye() {
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.hub.cfg.WriteTimeout))
	_ = s.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(s.closeCode, s.closeText))
	// Closing the socket with unread input would reset it and lose the close frame: let the
	// reader drain until the client answers, for a moment.
	select {
	case <-s.readerDone:
	case <-time.After(time.Second):
	}
	s.hangUp()
}

// hangUp closes the socket (the reader's read then fails) and tells the reader the writer is done.
func (s *session) hangUp() {
	s.pinger.Stop()
	s.conn.Close()
	close(s.writerDone)
}

// ping queues a ping, so that a peer gone silent is noticed by the write timeout, and re-arms.
func (s *session) ping() {
	s.enqueue(outFrame{ping: true})
	if !s.closing() {
		s.pinger.Reset(s.hub.cfg.PingInterval)
	}
}

// close ends the session with a close code; the first call wins.
func (s *session) close(code int, text string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, text
		close(s.done)
		if s.send.wake() {
			go s.write() // no writer running: one says goodbye
		}
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

// enqueue queues a frame for the writer. A client whose queue is full has fallen too far
// behind: it is closed with 4008 rather than slowing the fan-out for everyone else.
func (s *session) enqueue(f outFrame) {
	if s.closing() {
		return
	}
	ok, start := s.send.push(f)
	if !ok {
		s.tooSlow()
		return
	}
	if start {
		go s.write()
	}
	if !f.ping {
		s.hub.metrics.messages.Inc()
	}
}

// closing reports whether close has been called.
func (s *session) closing() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *session) tooSlow() {
	s.hub.metrics.slowClosed.Inc()
	s.close(protocol.CloseTooSlow, "too slow: resubscribe")
}

func (s *session) sendError(e protocol.ErrorMessage) {
	e.Type = protocol.TypeError
	s.hub.metrics.errors.WithLabelValues(string(e.Code)).Inc()
	s.sendJSON(e)
}

// sendDelta sends a system subscription's changes, if any.
func (s *session) sendDelta(sub string, d delta) {
	if d.empty() {
		return
	}
	msg, err := encodeChanges(sub, d)
	if err != nil {
		s.hub.cfg.Logger.Error("encode changes", "err", err)
		return
	}
	s.enqueue(outFrame{data: msg})
}

// encodeChanges writes a system subscription's changes message: items that are JSON already go
// as they are, others are encoded once here.
func encodeChanges(sub string, d delta) ([]byte, error) {
	bodies := make([]json.RawMessage, len(d.upserts))
	for i, u := range d.upserts {
		raw, ok := u.(json.RawMessage)
		if !ok {
			var err error
			if raw, err = json.Marshal(u); err != nil {
				return nil, err
			}
		}
		bodies[i] = raw
	}
	return changesMessage(sub, writeTail(bodies, func(b json.RawMessage) []byte { return b }, d.removes)), nil
}

// workTimeout bounds work done on a session's behalf outside a request (a message, a
// notification, a resync): never forever.
const workTimeout = 30 * time.Second

func workContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), workTimeout)
}
