package client

import "context"

// Fire-and-forget mutations return at once: they are written now when connected, else queued
// (at most Options.MaxPending) and written on the next connection. Their failures go to
// Options.OnError and the log. Confirmed mutations wait for the server's answer. Both kinds keep
// their order, across reconnects too, and both are sent again when a connection drops before
// their answer; indoubt.go says what that means for each kind.

// Create creates a record without waiting for the answer and returns its id: id, or a UUIDv7
// made here when id is "".
func (c *Client) Create(collection, id string, data any) (string, error) {
	id, err := idOrNew(id)
	if err != nil {
		return "", err
	}
	o, err := c.newOp("create", collection, id, data, false, nil, false)
	if err != nil {
		return "", err
	}
	return id, c.enqueue(o)
}

// CreateConfirmed creates a record and returns it as stored once the server has acknowledged
// it. The server's refusal is a *MutationError wrapping its *Error (conflict: the id exists;
// forbidden; invalid, with Details); ctx's end returns ctx's error, wrapped the same way.
func (c *Client) CreateConfirmed(ctx context.Context, collection, id string, data any) (Record, error) {
	id, err := idOrNew(id)
	if err != nil {
		return Record{}, err
	}
	o, err := c.newOp("create", collection, id, data, false, nil, true)
	if err != nil {
		return Record{}, err
	}
	res, err := c.await(ctx, o)
	return res.record, err
}

// Put upserts a record (PROTOCOL.md §3 put) without waiting for the answer.
func (c *Client) Put(collection, id string, data any, opts PutOptions) error {
	o, err := c.newOp("put", collection, id, data, opts.Replace, opts.IfVersion, false)
	if err != nil {
		return err
	}
	return c.enqueue(o)
}

// PutConfirmed upserts a record and returns it as stored, like CreateConfirmed.
func (c *Client) PutConfirmed(ctx context.Context, collection, id string, data any, opts PutOptions) (Record, error) {
	o, err := c.newOp("put", collection, id, data, opts.Replace, opts.IfVersion, true)
	if err != nil {
		return Record{}, err
	}
	res, err := c.await(ctx, o)
	return res.record, err
}

// Remove removes a record without waiting for the answer.
func (c *Client) Remove(collection, id string, opts RemoveOptions) error {
	o, err := c.newOp("remove", collection, id, nil, false, opts.IfVersion, false)
	if err != nil {
		return err
	}
	return c.enqueue(o)
}

// RemoveConfirmed removes a record and returns once the server has acknowledged it (not_found:
// there was no such record).
func (c *Client) RemoveConfirmed(ctx context.Context, collection, id string, opts RemoveOptions) error {
	o, err := c.newOp("remove", collection, id, nil, false, opts.IfVersion, true)
	if err != nil {
		return err
	}
	_, err = c.await(ctx, o)
	return err
}

// Flush waits until every mutation made before the call has been answered (acknowledged or
// failed), or ctx ends, or the client closes.
func (c *Client) Flush(ctx context.Context) error {
	c.mu.Lock()
	upTo := c.nextOp
	c.mu.Unlock()
	for {
		c.mu.Lock()
		pending := false
		for _, o := range c.ops {
			if o.seq <= upTo {
				pending = true
				break
			}
		}
		closed, settled := c.err, c.settled
		c.mu.Unlock()
		switch {
		case closed != nil: // whatever was pending failed with it
			return closed
		case !pending:
			return nil
		}
		select {
		case <-settled:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func idOrNew(id string) (string, error) {
	if id != "" {
		return id, nil
	}
	return newID()
}
