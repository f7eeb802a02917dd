package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/recordroom/recordroom/protocol"
)

// message is a server message (PROTOCOL.md §4).
type message = protocol.ServerMessage

// client is one WebSocket connection. A reader goroutine hands changes to onChange as they
// arrive (with their arrival time) and every other message to control, where the scenario waits
// for hellos, snapshots and acks.
type client struct {
	ws       *websocket.Conn
	wmu      sync.Mutex
	onChange func(m *message, at time.Time)
	control  chan *message
	done     chan struct{} // closed when the reader stops
	err      error         // why it stopped; read after done
	closing  atomic.Bool
	dropped  atomic.Int64 // control messages nobody waited for
}

// dialSpec says where a client connects and as whom.
type dialSpec struct {
	base     string // the replica's http(s) URL
	room     string
	token    string
	onChange func(m *message, at time.Time)
	// small gives the client small buffers: idle sockets only say hello and subscribe.
	small bool
}

// controlBacklog bounds the messages a client keeps for a waiter; a scenario waits for each
// answer in turn, so more than a handful means something unexpected is being said.
const controlBacklog = 256

// dial connects, and returns once the server has said hello.
func dial(ctx context.Context, s dialSpec) (*client, error) {
	u, err := wsURL(s.base, s.room, s.token)
	if err != nil {
		return nil, err
	}
	d := websocket.Dialer{HandshakeTimeout: 20 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 4096}
	if s.small {
		d.ReadBufferSize, d.WriteBufferSize = 512, 512
	}
	ws, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		return nil, fmt.Errorf("connect to room %s: %w", s.room, err)
	}
	c := &client{ws: ws, onChange: s.onChange, control: make(chan *message, controlBacklog), done: make(chan struct{})}
	go c.read()
	m, err := c.await(ctx)
	if err == nil && m.Type != protocol.TypeHello {
		err = fmt.Errorf("want hello first, got %s", describe(m))
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("room %s: %w", s.room, err)
	}
	return c, nil
}

func wsURL(base, room, token string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("server URL %q: %w", base, err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("server URL %q: want http:// or https://", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/rooms/" + url.PathEscape(room) + "/ws"
	u.RawQuery = url.Values{"token": {token}}.Encode()
	return u.String(), nil
}

func (c *client) read() {
	defer close(c.done)
	var buf bytes.Buffer
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			c.err = err
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			c.err = err
			return
		}
		at := time.Now()
		m := new(message)
		if err := json.Unmarshal(buf.Bytes(), m); err != nil {
			c.err = fmt.Errorf("undecodable message %.100q: %w", buf.Bytes(), err)
			c.ws.Close()
			return
		}
		if m.Type == protocol.TypeChanges && c.onChange != nil {
			c.onChange(m, at)
			continue
		}
		select {
		case c.control <- m:
		default:
			c.dropped.Add(1)
		}
	}
}

// await returns the next message that is not a change.
func (c *client) await(ctx context.Context) (*message, error) {
	select {
	case m := <-c.control:
		return m, nil
	case <-c.done:
		// A message that arrived just before the socket closed is still an answer.
		select {
		case m := <-c.control:
			return m, nil
		default:
		}
		return nil, fmt.Errorf("connection lost: %w", c.err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// send writes one text frame.
func (c *client) send(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// request sends frame and waits for the answer, which must be of type want.
func (c *client) request(ctx context.Context, frame []byte, want string) (*message, error) {
	if err := c.send(frame); err != nil {
		return nil, err
	}
	m, err := c.await(ctx)
	if err != nil {
		return nil, err
	}
	if m.Type != want {
		return m, fmt.Errorf("want %s, got %s", want, describe(m))
	}
	return m, nil
}

// subscribe subscribes to each collection (sub ids s0, s1, ...) and waits for the snapshots.
func (c *client) subscribe(ctx context.Context, collections []string, limit int) error {
	for i, col := range collections {
		if _, err := c.request(ctx, subscribeFrame(fmt.Sprintf("s%d", i), col, limit), "snapshot"); err != nil {
			return fmt.Errorf("subscribe to %s: %w", col, err)
		}
	}
	return nil
}

// failure says why the connection ended, if it ended before close was called, or what the
// server said that nobody waited for (the error of a fire-and-forget write, say).
func (c *client) failure() error {
	select {
	case <-c.done:
		if !c.closing.Load() {
			return fmt.Errorf("connection lost: %w", c.err)
		}
	default:
	}
	if n := c.dropped.Load(); n > 0 {
		return fmt.Errorf("%d unexpected messages", n)
	}
	select {
	case m := <-c.control:
		return fmt.Errorf("unexpected %s", describe(m))
	default:
	}
	return nil
}

// close says goodbye and waits a moment for the server to answer, so that the server sees a
// clean close rather than a reset.
func (c *client) close() {
	if c.closing.Swap(true) {
		return
	}
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
	c.ws.Close()
	<-c.done
}

// closeAll closes clients in parallel.
func closeAll(clients []*client) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, c := range clients {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.close()
		})
	}
	wg.Wait()
}

// failures lists, at most a few, the clients whose connection ended unexpectedly.
func failures(clients []*client) error {
	var errs []error
	n := 0
	for _, c := range clients {
		if c == nil {
			continue
		}
		if err := c.failure(); err != nil {
			n++
			if len(errs) < 3 {
				errs = append(errs, err)
			}
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d connections failed: %w", n, len(clients), errors.Join(errs...))
}

func describe(m *message) string {
	if m.Type == protocol.TypeError {
		return fmt.Sprintf("error %s: %s", m.Code, m.Message)
	}
	return m.Type
}
