package client

import (
	"encoding/json"

	"github.com/recordroom/recordroom/filter"
)

// A mutation written to a connection that ended before its answer is in doubt: the server may
// have applied it or not. The client sends it again on the next connection, in its original
// order, and reads the answer as follows.
//
//   - create: its id is chosen by the client (a UUIDv7 unless the caller chose one), so a second
//     send can never make a second record. conflict means the first send landed if the record's
//     creator is this user: the call succeeds with the record as it is now (read over REST).
//     Another creator's record is a real conflict.
//   - remove: not_found means the record is gone, as asked (whether by this remove or another):
//     the call succeeds.
//   - put without ifVersion: applied again. The data ends the same (a merge of the same fields,
//     or the same replacement); the version may grow by two, and the put counts as written at
//     the time of its second send (last writer wins).
//   - put with ifVersion n: conflict means the first send landed if the record is now at version
//     n+1 and holds the fields sent (all of data for replace): the call succeeds with it. Any
//     other state is a real conflict.
//
// Any other answer is the answer. A mutation that was never written (queued while disconnected)
// is not in doubt: it is simply sent, once.

// explainedByEarlierSend reports whether err, the answer to a resent op, may only mean that the
// earlier send was applied.
func (o *op) explainedByEarlierSend(err error) bool {
	switch o.kind {
	case "create":
		return IsCode(err, CodeConflict)
	case "remove":
		return IsCode(err, CodeNotFound)
	case "put":
		return o.ifVersion != nil && IsCode(err, CodeConflict)
	}
	return false
}

// resolve decides an in-doubt op whose resend failed with res.err (see above). It runs on its
// own goroutine, since it may read the record over REST.
func (c *Client) resolve(o *op, res result) result {
	if o.kind == "remove" {
		return result{id: o.id}
	}
	rec, err := c.GetRecord(c.ctx, o.collection, o.id)
	if err != nil {
		if c.ctx.Err() != nil {
			return result{err: ErrClosed}
		}
		c.opts.Logger.Warn("recordroom: cannot tell whether a mutation landed", "room", c.room,
			"op", o.kind, "collection", o.collection, "id", o.id, "err", err)
		return res
	}
	if c.landed(o, rec) {
		return result{record: rec}
	}
	return res
}

// landed reports whether rec, read after an in-doubt op's resend conflicted, is that op's work.
func (c *Client) landed(o *op, rec Record) bool {
	switch o.kind {
	case "create":
		return rec.UserID != "" && rec.UserID == c.Hello().UserID
	case "put":
		return rec.Version == *o.ifVersion+1 && holds(rec.Data, o.data, o.replace)
	}
	return false
}

// holds reports whether stored data is what a put of sent would leave: equal to it for a
// replace, else holding each of its top-level fields.
func holds(stored, sent json.RawMessage, replace bool) bool {
	s, err1 := decodeJSON(stored)
	w, err2 := decodeJSON(sent)
	if err1 != nil || err2 != nil {
		return false
	}
	if replace {
		return filter.Equal(s, w)
	}
	have, ok1 := s.(map[string]any)
	want, ok2 := w.(map[string]any)
	if !ok1 || !ok2 {
		return false
	}
	for k, v := range want {
		if got, ok := have[k]; !ok || !filter.Equal(got, v) {
			return false
		}
	}
	return true
}
