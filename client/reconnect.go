package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/websocket"

	"github.com/recordroom/recordroom/internal/backoff"
	"github.com/recordroom/recordroom/protocol"
)

// run is the client's connection goroutine: connect, serve until the connection ends, wait out
// the backoff, again, until Close or a close that must not be retried (4003). first receives
// the outcome of Dial's first connection: nil, or an error retrying will not fix.
func (c *Client) run(first chan<- error) {
	var final error
	defer func() {
		if final == nil {
			final = ErrClosed
		}
		c.finish(final)
		close(c.done)
	}()
	b := backoff.Backoff{Min: c.opts.BackoffMin, Max: c.opts.BackoffMax, Rand: c.opts.Rand}
	connected := false
	for {
		cn, err := c.connect()
		if c.ctx.Err() != nil {
			if cn != nil {
				cn.ws.Close()
			}
			return
		}
		switch {
		case err == nil:
			if !connected {
				connected = true
				// Dial returns knowing who the server says we are: serve adopts the
				// connection (and its hello) only after Dial has been told.
				c.mu.Lock()
				c.hello = cn.hello
				c.mu.Unlock()
				first <- nil
			}
			since := c.opts.Clock.Now()
			err = c.serve(cn)
			if c.opts.Clock.Now().Sub(since) >= c.opts.StableAfter {
				b.Reset()
			}
			if c.ctx.Err() != nil {
				return
			}
		case !connected && permanent(err):
			final = err
			first <- err
			return
		}
		if errors.Is(err, ErrRemoved) {
			final = err
			return
		}
		if !c.pause(&b, connected, err) {
			return
		}
	}
}

// pause waits out the next backoff delay after err; false means Close came first.
func (c *Client) pause(b *backoff.Backoff, connected bool, err error) bool {
	delay := b.Next()
	state := StateReconnecting
	if !connected {
		state = StateConnecting
	}
	c.opts.Logger.Info("recordroom: connection lost; retrying", "room", c.room, "err", err, "delay", delay)
	c.setState(StateChange{State: state, Err: err, Delay: delay})
	select {
	case <-c.opts.Clock.After(delay):
		return true
	case <-c.ctx.Done():
		return false
	}
}

// tokenError marks a failing TokenSource: at Dial it fails the call, later it is retried.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// permanent reports an error of a first connection that retrying will not fix: the token source
// failing, or the server refusing the upgrade for a reason of the request (bad token, room id).
func permanent(err error) bool {
	var te *tokenError
	if errors.As(err, &te) {
		return true
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.HTTPStatus {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
			return true
		}
	}
	return false
}

// connect opens a WebSocket and reads the server's hello, within HandshakeTimeout.
func (c *Client) connect() (*conn, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.HandshakeTimeout)
	defer cancel()
	header := http.Header{}
	if c.opts.TokenSource != nil {
		token, err := c.opts.TokenSource(ctx)
		if err != nil {
			return nil, &tokenError{err}
		}
		// A header rather than ?token=: query strings end up in proxies' access logs.
		header.Set("Authorization", "Bearer "+token)
	}
	ws, resp, err := c.dialer.DialContext(ctx, c.wsURL, header)
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, decodeError(resp)
		}
		return nil, fmt.Errorf("connect: %w", err)
	}
	// The read below has no context: the timeout and Close cut it by closing the socket.
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	_, frame, err := ws.ReadMessage()
	if !stop() {
		ws.Close()
		return nil, fmt.Errorf("connect: waiting for hello: %w", ctx.Err())
	}
	if err != nil {
		ws.Close()
		return nil, closeReason(err)
	}
	var m protocol.ServerMessage
	if err := json.Unmarshal(frame, &m); err != nil || m.Type != protocol.TypeHello {
		ws.Close()
		return nil, fmt.Errorf("connect: the server's first message is not a hello: %.100s", frame)
	}
	return newConn(ws, helloOf(&m)), nil
}

// closeReason turns a read error into why the connection ended: a *CloseError with the
// server's code (wrapped in ErrRemoved for 4003), or the network error.
func closeReason(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		e := &CloseError{Code: ce.Code, Text: ce.Text}
		if ce.Code == CloseRemoved {
			return fmt.Errorf("%w: %w", ErrRemoved, e)
		}
		return e
	}
	return fmt.Errorf("connection lost: %w", err)
}
