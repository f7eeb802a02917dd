// Package client is the Go client of RecordRoom: live query subscriptions and mutations over
// one WebSocket that reconnects by itself, and the REST routes for records, members, teams,
// schemas and files. It speaks the wire contract of docs/protocol.md and imports nothing else
// of this module.
//
//	c, err := client.Dial(ctx, "http://localhost:8080", "room-1", client.Options{
//		TokenSource: client.StaticToken(token),
//	})
//	if err != nil { ... }
//	defer c.Close()
//
//	sub, err := c.Subscribe(ctx, "tasks", client.Query{
//		Where:   map[string]any{"status": "active"},
//		OrderBy: []client.OrderKey{client.Desc("priority")},
//	})
//	for {
//		select {
//		case <-sub.Changed():
//			for _, r := range sub.Records() { ... } // the whole result, in order
//		case <-sub.Done():
//			return sub.Err()
//		}
//	}
//
//	rec, err := c.CreateConfirmed(ctx, "tasks", "", map[string]any{"title": "Ship it"})
//	if client.IsCode(err, client.CodeInvalid) { ... }
//	c.Put("tasks", rec.ID, map[string]any{"status": "done"}, client.PutOptions{}) // fire-and-forget
//
// # Connection
//
// Dial returns once the server has said hello. From then on the client keeps a connection up
// until Close: when one ends it waits a backoff delay and connects again, asking the
// TokenSource for a token each time. Delays grow exponentially with full jitter, uniform in
// [0, min(BackoffMax, BackoffMin·2^n)] (500ms and 30s by default), so the first retry is fast and
// the clients of a restarting server spread out; a connection that lasted StableAfter (10s)
// resets the schedule, so a server that accepts and drops at once is retried ever more slowly.
//
// Every close code means "connect again" (4001 token expired: with a fresh token; 4008 too
// slow, 1009, 1011, 1012 server restarting, or a dropped connection) except 4003, removed from
// the room: connecting again would join the user afresh, so the client closes instead, and
// Err, every pending call and every subscription report ErrRemoved.
//
// State says where the connection stands (Connecting, Connected, Reconnecting, Closed);
// Options.OnStateChange hears every change, with the reason and the next delay, in order.
//
// # Subscriptions
//
// Subscribe returns after the first snapshot. The Subscription holds the whole result, ordered
// by the query's orderBy with ties by id, as the server orders it: the server sends no positions
// in its changes, so the client sorts (timestamps to the millisecond, as the server renders
// them: records created in the same millisecond sort by id here, which may differ from the
// server's microsecond order). Changed has capacity 1: signals coalesce and the reader goroutine
// never waits for the application; read Records after each signal. After a reconnect every
// subscription is sent again and its fresh snapshot replaces the result. A subscription the
// server ends (say forbidden after a role change) closes Done and reports the error in Err.
//
// # Mutations
//
// Create, Put and Remove return at once: the mutation is written when connected, else queued
// (at most MaxPending waiting for an answer: one more is ErrQueueFull at once) and written on the
// next connection; failures go to OnError and the log. CreateConfirmed, PutConfirmed and
// RemoveConfirmed wait for the answer: the record as stored, the server's *Error (wrapped in a
// *MutationError; errors.Is(err, client.ErrConflict) and IsCode match it), or, when ctx ends
// first, ctx's error. A confirmed call whose ctx ends before its mutation was written withdraws
// it: it is never sent. One whose mutation was written may have been applied; it is not sent
// again. Creates get a client-made UUIDv7 id unless the caller gives one.
//
// Every mutation carries a ref, fire-and-forget ones too, so the client knows which ones the
// server answered. One written to a connection that dropped before its answer is in doubt, and
// is sent again on the next connection, in order, and its answer read accordingly:
//
//   - create: conflict is success when the record's creator is this user (read over REST):
//     with a client-made id, only the first send can have made it.
//   - remove: not_found is success: the record is gone, as asked.
//   - put with ifVersion n: conflict is success when the record is at version n+1 and holds
//     the fields sent (all of the data, for replace).
//   - put without ifVersion: applied again, as written at the time of the second send (last
//     writer wins); the data ends the same, the version may grow by two.
//
// A mutation queued while disconnected was never written: it is sent once. Flush waits until
// every mutation made so far has been answered; Close does not wait, and drops the queue.
//
// # REST
//
// The embedded *REST (also usable alone through NewREST) covers the records routes (with
// paging), the caller and users, settings, schemas, teams and invites, and files
// (UploadFile, FileURL, DownloadFile from the presigned URL or through the server, ListFiles,
// DeleteFile). Failures are the same *Error, with HTTPStatus set.
package client
