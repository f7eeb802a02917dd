package client

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sameRecords compares what a subscription holds with what the server lists, in order.
func sameRecords(got, want []Record) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Version != w.Version || g.UserID != w.UserID ||
			!g.CreatedAt.Equal(w.CreatedAt.Time) || !g.UpdatedAt.Equal(w.UpdatedAt.Time) || !holds(g.Data, w.Data, true) {
			return false
		}
	}
	return true
}

// The server stops and starts again on the same address mid-stream. While the client is away,
// another user writes over REST and the client queues fire-and-forget mutations; once back, the
// client has resubscribed, its cache equals the server's state, and the queued mutations landed
// exactly once.
func TestReconnectAfterServerRestart(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	clock := newFakeClock()
	st := newStates()
	alice := s.dial("r1", "alice", Options{Clock: clock, OnStateChange: st.record})
	bob := s.rest("r1", "bob")
	q := Query{OrderBy: []OrderKey{Asc("n")}}
	sub, err := alice.Subscribe(ctx, "tasks", q)
	require.NoError(t, err)

	ids := make([]string, 6)
	for i := range ids {
		var r Record
		if i%2 == 0 {
			r, err = alice.CreateConfirmed(ctx, "tasks", "", map[string]any{"n": i})
		} else {
			r, err = bob.CreateRecord(ctx, "tasks", "", map[string]any{"n": i})
		}
		require.NoError(t, err)
		ids[i] = r.ID
	}
	waitRecords(t, sub, func(rs []Record) bool { return len(rs) == 6 })

	s.stop()
	var ce *CloseError
	require.ErrorAs(t, st.waitFor(t, StateReconnecting).Err, &ce)
	require.Equal(t, 1012, ce.Code, "server restarting")
	wait := clock.next(t) // the client is away until the test lets its backoff elapse

	queued, err := alice.Create("tasks", "", map[string]any{"n": 100})
	require.NoError(t, err)
	require.NoError(t, alice.Put("tasks", ids[0], map[string]any{"n": 101, "edited": true}, PutOptions{}))
	require.NoError(t, alice.Remove("tasks", ids[1], RemoveOptions{}))

	s.restart()
	_, err = bob.CreateRecord(ctx, "tasks", "", map[string]any{"n": 50})
	require.NoError(t, err)
	_, err = bob.PutRecord(ctx, "tasks", ids[2], map[string]any{"n": 52}, PutOptions{})
	require.NoError(t, err)
	require.NoError(t, bob.RemoveRecord(ctx, "tasks", ids[3], RemoveOptions{}))
	require.Len(t, sub.Records(), 6, "the cache waits for the reconnect")

	wait.elapse()
	st.waitFor(t, StateConnected)
	require.NoError(t, alice.Flush(ctx))
	want, err := bob.ListAllRecords(ctx, "tasks", q)
	require.NoError(t, err)
	got := waitRecords(t, sub, func(rs []Record) bool { return sameRecords(rs, want) })
	require.Len(t, got, 6) // 6 - 2 removed + 2 created

	created, err := bob.GetRecord(ctx, "tasks", queued)
	require.NoError(t, err)
	require.Equal(t, int64(1), created.Version)
	edited, err := bob.GetRecord(ctx, "tasks", ids[0])
	require.NoError(t, err)
	require.Equal(t, int64(2), edited.Version, "the queued put landed once")
	require.JSONEq(t, `{"n":101,"edited":true}`, string(edited.Data))
	_, err = bob.GetRecord(ctx, "tasks", ids[1])
	require.ErrorIs(t, err, ErrNotFound)
}

// The server closes the socket with 4001 when the token expires; the client asks its token
// source again and carries on with the fresh token, subscriptions included.
func TestTokenRefreshAfter4001(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	var calls atomic.Int32
	st := newStates()
	c := s.dial("r1", "alice", Options{
		OnStateChange: st.record,
		TokenSource: func(context.Context) (string, error) {
			if calls.Add(1) == 1 {
				return s.token("alice", 2*time.Second), nil
			}
			return s.token("alice", time.Hour), nil
		},
	})
	sub, err := c.Subscribe(ctx, "tasks", Query{})
	require.NoError(t, err)

	var ce *CloseError
	require.ErrorAs(t, st.waitFor(t, StateReconnecting).Err, &ce)
	require.Equal(t, CloseTokenExpired, ce.Code)
	st.waitFor(t, StateConnected)
	require.Equal(t, int32(2), calls.Load())

	r, err := c.CreateConfirmed(ctx, "tasks", "", map[string]any{"after": "refresh"})
	require.NoError(t, err)
	waitRecords(t, sub, func(rs []Record) bool { return len(rs) == 1 && rs[0].ID == r.ID })
}

// An admin removes the user: the server closes their socket with 4003 and the client closes
// for good, failing what was pending and ending its subscriptions.
func TestRemovedUserClosesTheClient(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	admin := s.rest("r1", "alice")
	_, err := admin.Me(ctx) // the first user: admin
	require.NoError(t, err)
	st := newStates()
	var tokens atomic.Int32
	bob := s.dial("r1", "bob", Options{OnStateChange: st.record, TokenSource: func(context.Context) (string, error) {
		tokens.Add(1)
		return s.token("bob", time.Hour), nil
	}})
	sub, err := bob.Subscribe(ctx, "tasks", Query{})
	require.NoError(t, err)

	require.NoError(t, admin.RemoveUser(ctx, "bob"))
	select {
	case <-bob.Done():
	case <-ctx.Done():
		t.Fatal("the client stayed open")
	}
	require.Equal(t, StateClosed, bob.State())
	require.ErrorIs(t, bob.Err(), ErrRemoved)
	require.ErrorContains(t, bob.Err(), "removed from the room")
	require.ErrorIs(t, st.waitFor(t, StateClosed).Err, ErrRemoved)
	<-sub.Done()
	require.ErrorIs(t, sub.Err(), ErrRemoved)
	_, err = bob.CreateConfirmed(ctx, "tasks", "", map[string]any{})
	require.ErrorIs(t, err, ErrRemoved)
	_, err = bob.Subscribe(ctx, "tasks", Query{})
	require.ErrorIs(t, err, ErrRemoved)
	require.Equal(t, int32(1), tokens.Load(), "never connected again")
	require.False(t, errors.Is(bob.Err(), ErrClosed))
}

// Dial fails at once on what retrying cannot fix: a refused token, a failing token source.
func TestDialFailsFastOnPermanentErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	_, err := Dial(ctx, s.url(), "r1", Options{TokenSource: StaticToken("not a token")})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, CodeUnauthorized, e.Code)
	require.Equal(t, 401, e.HTTPStatus)
	boom := errors.New("no token today")
	_, err = Dial(ctx, s.url(), "r1", Options{TokenSource: func(context.Context) (string, error) { return "", boom }})
	require.ErrorIs(t, err, boom)
	_, err = Dial(ctx, s.url(), "bad room!", Options{TokenSource: StaticToken(s.token("alice", time.Hour))})
	require.ErrorIs(t, err, ErrBadRequest)
	require.NoError(t, ctx.Err(), "no retries until the context ended")
}
