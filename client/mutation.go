package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/recordroom/recordroom/protocol"
)

// op is one create, put or remove, from the call until its answer. Every op carries a ref, the
// fire-and-forget ones too: the client then knows which mutations the server has answered, and
// which ones a dropped connection left in doubt.
type op struct {
	kind       string // create, put, remove
	collection string
	id         string
	data       json.RawMessage // as sent: an in-doubt put compares it with what is stored
	replace    bool
	ifVersion  *int64
	ref        string
	frame      []byte
	done       chan result // capacity 1; nil for fire-and-forget

	// Guarded by Client.mu.
	seq      uint64 // the order of calls, kept when sent again
	sent     bool   // written to the live connection
	inDoubt  bool   // written to a connection that ended before the answer
	answered bool
}

// result is a mutation's answer.
type result struct {
	record Record // create, put
	id     string // remove
	err    error
}

// refs numbers mutations; it is drawn before the client's lock is taken, so a frame is encoded
// outside it. A ref only needs to be unique within one client.
var refs atomic.Uint64

// newOp encodes a mutation; data nil means none (remove).
func (c *Client) newOp(kind, collection, id string, data any, replace bool, ifVersion *int64, confirmed bool) (*op, error) {
	o := &op{kind: kind, collection: collection, id: id, replace: replace, ifVersion: ifVersion,
		ref: "m" + strconv.FormatUint(refs.Add(1), 10)}
	if confirmed {
		o.done = make(chan result, 1)
	}
	if data != nil {
		raw, err := dataJSON(data)
		if err != nil {
			return nil, o.fail(err)
		}
		o.data = raw
	}
	frame, err := json.Marshal(protocol.Mutation{Type: kind, Ref: o.ref, Collection: collection, ID: id,
		Data: o.data, Replace: replace, IfVersion: ifVersion})
	if err != nil {
		return nil, o.fail(fmt.Errorf("encode: %w", err))
	}
	if len(frame) > c.opts.MaxMessageBytes {
		return nil, o.fail(&Error{Code: CodeTooLarge,
			Message: fmt.Sprintf("the message is %d bytes, over the %d-byte limit", len(frame), c.opts.MaxMessageBytes)})
	}
	o.frame = frame
	return o, nil
}

func (o *op) fail(err error) error {
	return &MutationError{Op: o.kind, Collection: o.collection, ID: o.id, Err: err}
}

// enqueue makes the op pending: written now if connected, else on the next connection.
func (c *Client) enqueue(o *op) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == StateClosed {
		return o.fail(c.err)
	}
	if len(c.ops) >= c.opts.MaxPending {
		return o.fail(ErrQueueFull)
	}
	c.nextOp++
	o.seq = c.nextOp
	c.ops[o.ref] = o
	if c.conn != nil {
		c.conn.queue = append(c.conn.queue, outgoing{frame: o.frame, op: o})
		c.conn.wakeup()
	}
	return nil
}

// answer takes the server's answer to the op with this ref. An error that an earlier, lost send
// of the same op explains is resolved over REST first (indoubt.go), off the reader goroutine.
func (c *Client) answer(ref string, res result) {
	c.mu.Lock()
	o := c.ops[ref]
	if o == nil || o.answered {
		c.mu.Unlock()
		return // withdrawn: its caller has gone
	}
	o.answered = true
	inDoubt := o.inDoubt
	c.mu.Unlock()
	if res.err != nil && inDoubt && o.explainedByEarlierSend(res.err) {
		c.bg.Go(func() { c.complete(o, c.resolve(o, res)) })
		return
	}
	c.complete(o, res)
}

// sendAgainAfter sends the op with this ref again after d: a rate limit refused it, and
// applied nothing. A confirmed op's context still bounds the wait; an op the connection lost
// meanwhile goes out with the others on the next one.
func (c *Client) sendAgainAfter(ref string, d time.Duration) {
	c.bg.Go(func() {
		select {
		case <-c.opts.Clock.After(d):
		case <-c.done:
			return // closed: Close does not wait out the delay
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		o := c.ops[ref]
		if o == nil || o.answered || c.conn == nil {
			return
		}
		c.conn.queue = append(c.conn.queue, outgoing{frame: o.frame, op: o})
		c.conn.wakeup()
	})
}

// complete retires an answered op and delivers its result.
func (c *Client) complete(o *op, res result) {
	c.mu.Lock()
	c.retireLocked(o)
	c.mu.Unlock()
	c.deliver(o, res)
}

// retireLocked forgets an op and wakes Flush. c.mu is held.
func (c *Client) retireLocked(o *op) {
	if c.ops[o.ref] == o {
		delete(c.ops, o.ref)
		close(c.settled)
		c.settled = make(chan struct{})
	}
}

// deliver hands a result to the waiting caller, or reports a fire-and-forget failure.
func (c *Client) deliver(o *op, res result) {
	if o.done != nil {
		o.done <- res // capacity 1, and each op is delivered once
		return
	}
	if res.err != nil {
		err := o.fail(res.err)
		c.opts.Logger.Warn("recordroom: mutation failed", "room", c.room, "err", err)
		if c.opts.OnError != nil {
			c.opts.OnError(err)
		}
	}
}

// await enqueues a confirmed op and waits for its answer or ctx's end. A caller that gives up
// withdraws the op: if it had not been written yet it never will be; if it had, it may have
// been applied, but it is not sent again.
func (c *Client) await(ctx context.Context, o *op) (result, error) {
	if err := c.enqueue(o); err != nil {
		return result{}, err
	}
	select {
	case res := <-o.done:
		return res, o.outcome(res.err)
	case <-ctx.Done():
	}
	c.mu.Lock()
	if !o.answered {
		c.retireLocked(o)
	}
	c.mu.Unlock()
	select {
	case res := <-o.done: // answered just now after all
		return res, o.outcome(res.err)
	default:
		return result{}, o.fail(ctx.Err())
	}
}

// outcome is the error a confirmed call returns for a result's error.
func (o *op) outcome(err error) error {
	if err == nil {
		return nil
	}
	return o.fail(err)
}

// newID makes a create's id on the client: a UUIDv7, so that sending the create again after a
// lost connection can never make a second record.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("make an id: %w", err)
	}
	return id.String(), nil
}
