package client

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

// Client is a connection to one room that stays up by itself: it reconnects with backoff, sends
// its subscriptions again, and sends the mutations still waiting for an answer. Its REST methods
// come from the embedded *REST. It is safe for concurrent use; Close it when done.
type Client struct {
	*REST
	wsURL  string
	dialer *websocket.Dialer

	ctx    context.Context // ends at Close; bounds everything the client does in the background
	cancel context.CancelFunc
	done   chan struct{}  // closed when the connection goroutine has finished
	bg     sync.WaitGroup // in-doubt mutations being resolved over REST

	mu      sync.Mutex
	state   State
	err     error // why the client closed, once it has
	last    error // why the latest attempt failed, for Dial's error
	hello   Hello
	conn    *conn // the live connection; nil between connections
	subs    map[string]*Subscription
	nextSub int
	ops     map[string]*op // mutations without an answer yet, by ref
	nextOp  uint64
	settled chan struct{} // closed and replaced whenever a mutation is answered (Flush)
}

// Dial connects to a room of the server at baseURL (http or https) and returns once the server
// has said hello. While ctx lasts it retries what may pass (the server unreachable or
// restarting); an answer that will not change (401 unauthorized, 403, 400 a bad room id) and a
// failing TokenSource fail it at once. ctx only bounds this first connection: later ones are made
// in the background until Close.
func Dial(ctx context.Context, baseURL, room string, opts Options) (*Client, error) {
	rest, err := NewREST(baseURL, room, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		REST: rest, wsURL: wsURL(rest.base, room, rest.opts.Widget), dialer: newDialer(rest.opts),
		done: make(chan struct{}), subs: map[string]*Subscription{}, ops: map[string]*op{},
		settled: make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	first := make(chan error, 1)
	go c.run(first)
	select {
	case err := <-first:
		if err != nil {
			<-c.done
			return nil, fmt.Errorf("dial: %w", err)
		}
		return c, nil
	case <-ctx.Done():
		_ = c.Close()
		c.mu.Lock()
		last := c.last
		c.mu.Unlock()
		if last != nil {
			return nil, fmt.Errorf("dial: %w (last attempt: %v)", ctx.Err(), last)
		}
		return nil, fmt.Errorf("dial: %w", ctx.Err())
	}
}

func wsURL(base, room, widget string) string {
	u := "ws" + strings.TrimPrefix(base, "http") + "/v1/rooms/" + url.PathEscape(room) + "/ws"
	return u + "?" + url.Values{"widget": {widget}}.Encode()
}

// newDialer dials the way the HTTP client does: its transport's proxy and TLS settings.
func newDialer(opts Options) *websocket.Dialer {
	d := &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: opts.HandshakeTimeout}
	if t, ok := opts.HTTPClient.Transport.(*http.Transport); ok {
		d.Proxy, d.NetDialContext = t.Proxy, t.DialContext
		if t.TLSClientConfig != nil {
			d.TLSClientConfig = t.TLSClientConfig.Clone()
		}
	}
	return d
}

// Close stops the client: the connection closes, pending confirmed mutations and Flush return
// ErrClosed, queued fire-and-forget mutations are dropped (and reported to OnError), and
// subscriptions end. It returns once every goroutine of the client has finished; later calls do
// nothing.
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	c.bg.Wait()
	return nil
}

// State is where the connection stands now.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Err is why the client closed: ErrClosed after Close, an error wrapping ErrRemoved (and a
// *CloseError) when the user was removed from the room; nil while it is open.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the client has closed, by Close or by itself (ErrRemoved).
func (c *Client) Done() <-chan struct{} { return c.done }

// Hello is what the server said when the latest connection opened: the user, role and replica.
func (c *Client) Hello() Hello {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hello
}

// setState records a state and tells OnStateChange; only the connection goroutine calls it, so
// the callback sees every change in order.
func (c *Client) setState(ch StateChange) {
	c.mu.Lock()
	c.state = ch.State
	if ch.Err != nil {
		c.last = ch.Err
	}
	c.mu.Unlock()
	if c.opts.OnStateChange != nil {
		c.opts.OnStateChange(ch)
	}
}

// finish closes the client for good: every pending mutation and subscription learns why. The
// state turns Closed under the same lock that empties the queues, so nothing enqueued later can
// be forgotten.
func (c *Client) finish(final error) {
	c.mu.Lock()
	c.state, c.err = StateClosed, final
	var waiting []*op
	for _, o := range c.ops {
		if !o.answered { // an answered one is being resolved, and finishes by itself
			waiting = append(waiting, o)
		}
	}
	slices.SortFunc(waiting, func(a, b *op) int { return cmp.Compare(a.seq, b.seq) }) // report in call order
	subs := c.subs
	c.ops, c.subs = map[string]*op{}, map[string]*Subscription{}
	close(c.settled)
	c.settled = make(chan struct{})
	c.mu.Unlock()
	for _, o := range waiting {
		c.deliver(o, result{err: final})
	}
	for _, s := range subs {
		s.end(final)
	}
	if c.opts.OnStateChange != nil {
		c.opts.OnStateChange(StateChange{State: StateClosed, Err: final})
	}
}
