package client

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func recordIDs(recs []Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// The client orders a subscription's result itself (changes carry no positions); with values
// of every kind, descending keys, a limit window and changes moving records around, it keeps
// the order the server's REST list has.
func TestSubscriptionOrderMatchesTheServer(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	c := s.dial("r1", "alice", Options{})
	values := []string{`null`, `1`, `1.0`, `-3.5`, `99999999999999999999`, `99999999999999999998`, `"a"`,
		`"B"`, `"b"`, `true`, `false`, `[2]`, `[1]`, `{"x":1}`, ``}
	for i, v := range values {
		data := map[string]any{"w": i % 3}
		if v != "" {
			data["v"] = json.RawMessage(v)
		}
		_, err := c.CreateConfirmed(ctx, "things", "", data)
		require.NoError(t, err)
	}
	queries := []Query{
		{OrderBy: []OrderKey{Desc("v")}, Limit: 8},
		{OrderBy: []OrderKey{Asc("w"), Desc("v")}},
		{Where: map[string]any{"w": map[string]any{"$gte": 1}}},
	}
	subs := make([]*Subscription, len(queries))
	for i, q := range queries {
		var err error
		subs[i], err = c.Subscribe(ctx, "things", q)
		require.NoError(t, err)
	}
	check := func() {
		for i, q := range queries {
			want, err := c.ListAllRecords(ctx, "things", q)
			require.NoError(t, err)
			if q.Limit > 0 {
				page, err := c.ListRecords(ctx, "things", q, "")
				require.NoError(t, err)
				want = page.Records
			}
			waitRecords(t, subs[i], func(rs []Record) bool { return sameRecords(rs, want) })
		}
	}
	check()

	all, err := c.ListAllRecords(ctx, "things", Query{})
	require.NoError(t, err)
	require.NoError(t, c.Put("things", all[0].ID, map[string]any{"v": 1e30, "w": 2}, PutOptions{}))
	require.NoError(t, c.Put("things", all[4].ID, map[string]any{"v": "zz"}, PutOptions{}))
	require.NoError(t, c.Remove("things", all[6].ID, RemoveOptions{}))
	require.NoError(t, c.Remove("things", all[13].ID, RemoveOptions{}))
	_, err = c.Create("things", "", map[string]any{"v": -100, "w": 1})
	require.NoError(t, err)
	require.NoError(t, c.Flush(ctx))
	check()
}

// $users is subscribed to like a collection; its items are {id, data}.
func TestSystemCollectionSubscription(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	c := s.dial("r1", "alice", Options{})
	sub, err := c.Subscribe(ctx, "$users", Query{OrderBy: []OrderKey{Desc("id")}})
	require.NoError(t, err)
	require.Equal(t, []string{"alice"}, recordIDs(sub.Records()))

	_, err = s.rest("r1", "bob").Me(ctx)
	require.NoError(t, err)
	recs := waitRecords(t, sub, func(rs []Record) bool { return len(rs) == 2 })
	require.Equal(t, []string{"bob", "alice"}, recordIDs(recs))
	var bob struct{ Role string }
	require.NoError(t, recs[0].Decode(&bob))
	require.Equal(t, "member", bob.Role)
}

// A subscription the server ends (the user lost read access) reports the server's error and
// is not sent again after a reconnect; one the server refuses fails Subscribe.
func TestSubscriptionEndedByTheServer(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	admin := s.rest("r1", "alice")
	_, err := admin.Me(ctx)
	require.NoError(t, err)
	bob := s.dial("r1", "bob", Options{})
	sub, err := bob.Subscribe(ctx, "tasks", Query{})
	require.NoError(t, err)

	_, err = bob.Subscribe(ctx, "tasks", Query{Where: map[string]any{"n": map[string]any{"$regex": "x"}}})
	require.ErrorIs(t, err, ErrBadRequest)
	_, err = bob.Subscribe(ctx, "tasks", Query{Limit: 20000})
	require.ErrorIs(t, err, ErrBadRequest)

	_, err = admin.SetRole(ctx, "bob", "viewer")
	require.NoError(t, err)
	select {
	case <-sub.Done():
	case <-ctx.Done():
		t.Fatal("the subscription did not end")
	}
	require.ErrorIs(t, sub.Err(), ErrForbidden)
	_, err = bob.Subscribe(ctx, "tasks", Query{})
	require.ErrorIs(t, err, ErrForbidden)
}

// Closing a subscription tells the server, and nothing more reaches it; its last result stays
// readable. A Subscribe whose context ends before the snapshot withdraws itself.
func TestSubscriptionClose(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t)
	ctx := testContext(t)
	c, err := Dial(ctx, fs.url(), "r1", Options{})
	require.NoError(t, err)
	defer c.Close()
	fc := fs.next(t)
	subscribed := make(chan *Subscription, 1)
	go func() {
		sub, _ := c.Subscribe(ctx, "tasks", Query{Where: json.RawMessage(`{"done":false}`), Limit: 5})
		subscribed <- sub // nil if it failed
	}()
	m := fc.frame(t)
	require.Equal(t, map[string]any{"type": "subscribe", "sub": m["sub"], "collection": "tasks",
		"where": map[string]any{"done": false}, "limit": float64(5)}, m)
	fc.send(t, map[string]any{"type": "snapshot", "sub": m["sub"], "records": []any{
		map[string]any{"id": "t1", "data": map[string]any{}, "version": 1, "createdAt": "2026-11-27T10:00:00.123Z"},
	}})
	sub := <-subscribed
	require.NotNil(t, sub)
	sub.Close()
	require.Equal(t, map[string]any{"type": "unsubscribe", "sub": m["sub"]}, fc.frame(t))
	require.ErrorIs(t, sub.Err(), ErrClosed)

	// A removal for the closed subscription, then an ack: once the ack is in, so is the removal.
	acked := make(chan error, 1)
	go func() { acked <- c.RemoveConfirmed(ctx, "tasks", "x", RemoveOptions{}) }()
	remove := fc.frame(t)
	fc.send(t, map[string]any{"type": "changes", "sub": m["sub"], "upserts": []any{}, "removes": []string{"t1"}})
	fc.send(t, map[string]any{"type": "ack", "ref": remove["ref"], "id": "x"})
	require.NoError(t, <-acked)
	require.Equal(t, []string{"t1"}, recordIDs(sub.Records()))

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.Subscribe(short, "tasks", Query{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	m = fc.frame(t)
	require.Equal(t, "subscribe", m["type"])
	require.Equal(t, map[string]any{"type": "unsubscribe", "sub": m["sub"]}, fc.frame(t))
}
