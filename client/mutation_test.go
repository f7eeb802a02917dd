package client

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A confirmed mutation returns the server's refusal as a typed error with its code (and, for
// invalid, the failing fields); a fire-and-forget one reports it to OnError.
func TestConfirmedMutationsReturnTheServersError(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	admin := s.rest("r1", "alice")
	_, err := admin.SetSchema(ctx, map[string]any{"collections": map[string]any{
		"tasks": map[string]any{
			"fields":           map[string]any{"title": map[string]any{"type": "string", "required": true}},
			"additionalFields": false,
		},
	}})
	require.NoError(t, err)
	failed := make(chan error, 10)
	c := s.dial("r1", "alice", Options{OnError: func(err error) { failed <- err }})

	_, err = c.CreateConfirmed(ctx, "tasks", "t1", map[string]any{"title": "first"})
	require.NoError(t, err)
	_, err = c.CreateConfirmed(ctx, "tasks", "t1", map[string]any{"title": "again"})
	require.ErrorIs(t, err, ErrConflict)
	var me *MutationError
	require.ErrorAs(t, err, &me)
	require.Equal(t, MutationError{Op: "create", Collection: "tasks", ID: "t1", Err: me.Err}, *me)

	_, err = c.CreateConfirmed(ctx, "tasks", "", map[string]any{"title": 5, "extra": 1})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, CodeInvalid, e.Code)
	require.NotEmpty(t, e.Details)
	paths := ""
	for _, d := range e.Details {
		paths += d.Path + " "
	}
	require.Contains(t, paths, "title")

	_, err = c.PutConfirmed(ctx, "tasks", "t1", map[string]any{"title": "x"}, PutOptions{IfVersion: Version(7)})
	require.True(t, IsCode(err, CodeConflict))
	err = c.RemoveConfirmed(ctx, "tasks", "nope", RemoveOptions{})
	require.ErrorIs(t, err, ErrNotFound)
	_, err = c.CreateConfirmed(ctx, "notes", "", map[string]any{})
	require.ErrorIs(t, err, ErrUnknownCollection)

	_, err = c.Create("tasks", "t1", map[string]any{"title": "fire and forget"})
	require.NoError(t, err)
	select {
	case err := <-failed:
		require.ErrorIs(t, err, ErrConflict)
		require.ErrorAs(t, err, &me)
		require.Equal(t, "t1", me.ID)
	case <-ctx.Done():
		t.Fatal("OnError was not called")
	}

	_, err = admin.UpdateSettings(ctx, SettingsPatch{DefaultRole: ptr("viewer")})
	require.NoError(t, err)
	viewer := s.dial("r1", "vera", Options{})
	require.Equal(t, "viewer", viewer.Hello().Role)
	_, err = viewer.CreateConfirmed(ctx, "tasks", "", map[string]any{"title": "no"})
	require.ErrorIs(t, err, ErrForbidden)
}

func ptr[T any](v T) *T { return &v }

// A confirmed mutation that outlasts its context (here: the server is down) returns the
// context's error; it had not been written, so it is withdrawn and never applied.
func TestConfirmedMutationOutlastingItsContext(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	st := newStates()
	c := s.dial("r1", "alice", Options{OnStateChange: st.record})
	s.stop()
	st.waitFor(t, StateReconnecting)

	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateConfirmed(short, "tasks", "late", map[string]any{"n": 1})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	s.restart()
	st.waitFor(t, StateConnected)
	_, err = c.CreateConfirmed(ctx, "tasks", "after", map[string]any{"n": 2})
	require.NoError(t, err)
	_, err = c.GetRecord(ctx, "tasks", "late")
	require.ErrorIs(t, err, ErrNotFound)
}

// A mutation whose ack was lost with its connection is sent again: a create (client-made id)
// that conflicts, a remove that finds nothing, a put at ifVersion that conflicts with its own
// landing all succeed once; a put overtaken by another writer is a real conflict.
func TestInDoubtMutationsLandOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	p := newProxy(t, s.addr)
	ctx := testContext(t)
	failed := make(chan error, 10)
	c, err := Dial(ctx, p.url(), "r1", Options{
		TokenSource: StaticToken(s.token("alice", time.Hour)), BackoffMin: time.Millisecond,
		OnError: func(err error) { failed <- err },
	})
	require.NoError(t, err)
	defer c.Close()
	bob := s.rest("r1", "bob")

	// inDoubt runs a mutation whose answer is lost: once landed shows the server applied it,
	// the connection is cut and the client sends it again.
	inDoubt := func(mutate func() error, landed func() bool) error {
		p.setMuted(true)
		errc := make(chan error, 1)
		go func() { errc <- mutate() }()
		require.Eventually(t, landed, 10*time.Second, 5*time.Millisecond)
		p.setMuted(false)
		p.cut()
		return <-errc
	}
	count := func(title string) int {
		recs, err := bob.ListAllRecords(ctx, "tasks", Query{Where: map[string]any{"title": title}})
		require.NoError(t, err)
		return len(recs)
	}

	var created Record
	err = inDoubt(func() (err error) {
		created, err = c.CreateConfirmed(ctx, "tasks", "", map[string]any{"title": "c1"})
		return err
	}, func() bool { return count("c1") == 1 })
	require.NoError(t, err)
	require.Equal(t, int64(1), created.Version)
	require.Equal(t, "alice", created.UserID)
	require.Equal(t, 1, count("c1"))

	err = inDoubt(func() error { return c.RemoveConfirmed(ctx, "tasks", created.ID, RemoveOptions{}) },
		func() bool { return count("c1") == 0 })
	require.NoError(t, err)

	r, err := bob.CreateRecord(ctx, "tasks", "", map[string]any{"title": "p1", "n": 1})
	require.NoError(t, err)
	var put Record
	err = inDoubt(func() (err error) {
		put, err = c.PutConfirmed(ctx, "tasks", r.ID, map[string]any{"n": 2}, PutOptions{IfVersion: Version(1)})
		return err
	}, func() bool { got, err := bob.GetRecord(ctx, "tasks", r.ID); return err == nil && got.Version == 2 })
	require.NoError(t, err)
	require.Equal(t, int64(2), put.Version)
	require.JSONEq(t, `{"title":"p1","n":2}`, string(put.Data))

	err = inDoubt(func() error {
		_, err := c.PutConfirmed(ctx, "tasks", r.ID, map[string]any{"n": 3}, PutOptions{IfVersion: Version(2)})
		return err
	}, func() bool {
		got, err := bob.GetRecord(ctx, "tasks", r.ID)
		if err != nil || got.Version != 3 {
			return false
		}
		_, err = bob.PutRecord(ctx, "tasks", r.ID, map[string]any{"n": 4}, PutOptions{}) // overtakes it
		return err == nil
	})
	require.ErrorIs(t, err, ErrConflict, "version 4 is not the put's work")

	id, err := c.Create("tasks", "", map[string]any{"title": "f1"})
	require.NoError(t, err)
	require.NotEmpty(t, id)
	require.NoError(t, c.Flush(ctx))
	err = inDoubt(func() error {
		_, err := c.Create("tasks", "", map[string]any{"title": "f2"})
		require.NoError(t, err)
		return c.Flush(ctx)
	}, func() bool { return count("f2") == 1 })
	require.NoError(t, err)
	require.Equal(t, 1, count("f2"))
	select {
	case err := <-failed:
		t.Fatalf("a fire-and-forget mutation failed: %v", err)
	default:
	}
}

// The queue is bounded: with MaxPending mutations unanswered, the next fails at once. A message
// over the frame limit fails at once too, and a closed client refuses everything.
func TestQueueBoundsAndClose(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t) // it never answers a mutation
	ctx := testContext(t)
	c, err := Dial(ctx, fs.url(), "r1", Options{MaxPending: 2, MaxMessageBytes: 1000})
	require.NoError(t, err)
	fc := fs.next(t)

	_, err = c.Create("tasks", "", map[string]any{"n": 1})
	require.NoError(t, err)
	require.NoError(t, c.Put("tasks", "a", map[string]any{"n": 2}, PutOptions{}))
	require.ErrorIs(t, c.Remove("tasks", "a", RemoveOptions{}), ErrQueueFull)
	_, err = c.CreateConfirmed(ctx, "tasks", "", map[string]any{})
	require.ErrorIs(t, err, ErrQueueFull)
	require.Equal(t, "create", fc.frame(t)["type"])
	require.Equal(t, "put", fc.frame(t)["type"])

	fc.send(t, map[string]any{"type": "error", "ref": "nobody's", "code": "internal", "message": "ignored"})
	_, err = c.Create("tasks", "", map[string]any{"big": strings.Repeat("x", 1000)})
	require.ErrorIs(t, err, ErrTooLarge)

	flushed := make(chan error, 1)
	go func() { flushed <- c.Flush(ctx) }()
	require.NoError(t, c.Close())
	require.ErrorIs(t, <-flushed, ErrClosed)
	require.NoError(t, c.Close(), "Close twice is fine")
	require.Equal(t, StateClosed, c.State())
	_, err = c.Create("tasks", "", map[string]any{})
	require.ErrorIs(t, err, ErrClosed)
	_, err = c.Subscribe(ctx, "tasks", Query{})
	require.ErrorIs(t, err, ErrClosed)
}

// A mutation the server's rate limit refused (limit with retryAfterMs) is sent again when the
// server says, by itself: confirmed writes past the burst all land, later.
func TestRateLimitedMutationsAreSentAgain(t *testing.T) {
	t.Parallel()
	s := startServerWith(t, map[string]string{"RECORDROOM_RATE_MUTATIONS": "10", "RECORDROOM_RATE_MUTATIONS_BURST": "1"})
	ctx := testContext(t)
	c := s.dial("r1", "alice", Options{})
	for i := range 4 {
		_, err := c.CreateConfirmed(ctx, "tasks", fmt.Sprintf("t%d", i), map[string]any{"n": i})
		require.NoError(t, err, "create %d", i)
	}
	all, err := s.rest("r1", "alice").ListAllRecords(ctx, "tasks", Query{})
	require.NoError(t, err)
	require.Len(t, all, 4)
}
