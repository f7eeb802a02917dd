package client

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// conn is one WebSocket connection, served by one reader and one writer goroutine; the
// connection goroutine starts both and waits for both before it makes the next connection, so
// two connections never overlap.
type conn struct {
	ws    *websocket.Conn
	hello Hello

	queue      []outgoing    // guarded by Client.mu: frames for the writer, in order
	wake       chan struct{} // capacity 1: the queue grew
	closing    chan struct{} // closed by shutdown: the writer says goodbye
	closeOnce  sync.Once
	readerDone chan struct{}
	writerDone chan struct{}
	reason     error // why the reader stopped; read after readerDone
}

// outgoing is a frame to write; op is set for mutations, which are tracked until answered.
type outgoing struct {
	frame []byte
	op    *op
}

func newConn(ws *websocket.Conn, hello Hello) *conn {
	return &conn{
		ws: ws, hello: hello, wake: make(chan struct{}, 1), closing: make(chan struct{}),
		readerDone: make(chan struct{}), writerDone: make(chan struct{}),
	}
}

func (cn *conn) wakeup() {
	select {
	case cn.wake <- struct{}{}:
	default: // a wake-up is pending already: the writer takes the whole queue
	}
}

func (cn *conn) shutdown() { cn.closeOnce.Do(func() { close(cn.closing) }) }

// serve runs a connection until it ends, or until Close, and returns why it ended.
func (c *Client) serve(cn *conn) error {
	c.activate(cn)
	go c.readLoop(cn)
	go c.writeLoop(cn)
	select {
	case <-cn.readerDone:
	case <-c.ctx.Done():
		cn.shutdown()
		select {
		case <-cn.readerDone:
		case <-time.After(2 * time.Second): // a server that does not answer the close frame
			cn.ws.Close()
			<-cn.readerDone
		}
	}
	cn.shutdown()
	<-cn.writerDone
	c.deactivate(cn)
	return cn.reason
}

// activate makes cn the live connection: its queue starts with every active subscription, then
// every mutation still waiting for an answer, in the order they were made.
func (c *Client) activate(cn *conn) {
	c.mu.Lock()
	subs := make([]*Subscription, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	slices.SortFunc(subs, func(a, b *Subscription) int { return cmp.Compare(a.seq, b.seq) })
	for _, s := range subs {
		cn.queue = append(cn.queue, outgoing{frame: s.frame})
	}
	ops := make([]*op, 0, len(c.ops))
	for _, o := range c.ops {
		if !o.answered {
			ops = append(ops, o)
		}
	}
	slices.SortFunc(ops, func(a, b *op) int { return cmp.Compare(a.seq, b.seq) })
	for _, o := range ops {
		cn.queue = append(cn.queue, outgoing{frame: o.frame, op: o})
	}
	c.conn, c.hello = cn, cn.hello
	cn.wakeup()
	c.mu.Unlock()
	c.opts.Logger.Info("recordroom: connected", "room", c.room, "replica", cn.hello.Replica,
		"subscriptions", len(subs), "mutations", len(ops))
	c.setState(StateChange{State: StateConnected})
}

// deactivate ends cn's turn. A mutation written to it without an answer may or may not have
// been applied: it is in doubt from now on (see indoubt.go).
func (c *Client) deactivate(cn *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = nil
	for _, o := range c.ops {
		if o.sent {
			o.sent, o.inDoubt = false, true
		}
	}
}

// take hands the writer everything queued for cn, marking mutations as sent.
func (c *Client) take(cn *conn) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	frames := make([][]byte, 0, len(cn.queue))
	for _, g := range cn.queue {
		if g.op != nil {
			if c.ops[g.op.ref] != g.op || g.op.answered {
				continue // withdrawn by a caller whose context ended, or answered meanwhile
			}
			g.op.sent = true
		}
		frames = append(frames, g.frame)
	}
	clear(cn.queue) // drop the references the slice's array would keep
	cn.queue = cn.queue[:0]
	return frames
}

// writeLoop writes queued frames and pings; on shutdown it sends a close frame.
func (c *Client) writeLoop(cn *conn) {
	defer close(cn.writerDone)
	defer cn.ws.Close() // a failed write ends the reader too
	ping := time.NewTicker(c.opts.PingInterval)
	defer ping.Stop()
	deadline := func() time.Time { return time.Now().Add(c.opts.WriteTimeout) }
	for {
		select {
		case <-cn.readerDone:
			return
		case <-cn.closing:
			_ = cn.ws.SetWriteDeadline(time.Now().Add(time.Second))
			_ = cn.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
			select { // the server answers the close frame; the reader then stops
			case <-cn.readerDone:
			case <-time.After(time.Second):
			}
			return
		case <-ping.C:
			if err := cn.ws.WriteControl(websocket.PingMessage, nil, deadline()); err != nil {
				return
			}
		case <-cn.wake:
			for _, frame := range c.take(cn) {
				_ = cn.ws.SetWriteDeadline(deadline())
				if err := cn.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
					return
				}
			}
		}
	}
}

// readLoop reads and dispatches the server's messages until the connection fails or closes. A
// connection silent for two ping intervals (no message, ping or pong) is taken for dead.
func (c *Client) readLoop(cn *conn) {
	defer close(cn.readerDone)
	extend := func() { _ = cn.ws.SetReadDeadline(time.Now().Add(2 * c.opts.PingInterval)) }
	extend()
	cn.ws.SetPongHandler(func(string) error { extend(); return nil })
	cn.ws.SetPingHandler(func(data string) error {
		extend()
		// A failed pong shows up as a failed read soon enough.
		_ = cn.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(c.opts.WriteTimeout))
		return nil
	})
	for {
		kind, frame, err := cn.ws.ReadMessage()
		if err != nil {
			cn.reason = closeReason(err)
			return
		}
		extend()
		if kind == websocket.TextMessage { // binary frames carry Yjs, which this client does not speak
			c.dispatch(frame)
		}
	}
}
