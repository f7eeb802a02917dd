package client

import (
	"encoding/json"
	"time"

	"github.com/recordroom/recordroom/protocol"
)

// dispatch handles one message from the server, on the reader goroutine. Nothing here blocks:
// subscriptions signal through capacity-1 channels, confirmed callers through buffered ones.
func (c *Client) dispatch(frame []byte) {
	var m protocol.ServerMessage
	if err := json.Unmarshal(frame, &m); err != nil {
		c.opts.Logger.Warn("recordroom: unreadable message", "room", c.room, "err", err)
		return
	}
	switch m.Type {
	case protocol.TypeSnapshot:
		if s := c.subscription(m.Sub); s != nil {
			s.replace(m.Records)
		}
	case protocol.TypeChanges:
		if s := c.subscription(m.Sub); s != nil {
			s.apply(m.Upserts, m.Removes)
		}
	case protocol.TypeAck:
		res := result{id: m.ID}
		if m.Record != nil {
			res.record, res.id = *m.Record, m.Record.ID
		}
		c.answer(m.Ref, res)
	case protocol.TypeError:
		switch {
		case m.Ref != "" && m.Code == protocol.Limit && m.RetryAfterMs > 0:
			c.sendAgainAfter(m.Ref, time.Duration(m.RetryAfterMs)*time.Millisecond)
		case m.Ref != "":
			c.answer(m.Ref, result{err: errorOf(&m)})
		case m.Sub != "":
			c.endSubscription(m.Sub, errorOf(&m))
		default:
			c.opts.Logger.Warn("recordroom: server error", "room", c.room, "err", errorOf(&m))
		}
	}
}

// subscription finds an active subscription by its sub id; messages for one that was closed
// meanwhile are dropped.
func (c *Client) subscription(id string) *Subscription {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.subs[id]
}

// endSubscription ends a subscription the server ended (it may no longer read the collection).
func (c *Client) endSubscription(id string, err *Error) {
	c.mu.Lock()
	s := c.subs[id]
	delete(c.subs, id)
	c.mu.Unlock()
	if s != nil {
		c.opts.Logger.Warn("recordroom: subscription ended by the server", "room", c.room,
			"collection", s.collection, "err", err)
		s.end(err)
	}
}
