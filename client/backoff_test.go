package client

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/backoff"
)

// The schedule with full jitter: the n-th delay is uniform in [0, min(30s, 500ms·2^n)].
func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	var r float64
	b := backoff.Backoff{Min: 500 * time.Millisecond, Max: 30 * time.Second, Rand: func() float64 { return r }}
	ceilings := []time.Duration{
		500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second,
	}
	r = 0.999999 // the top of the jitter range: the ceilings themselves, nearly
	for i, ceiling := range ceilings {
		d := b.Next()
		require.LessOrEqual(t, d, ceiling, "delay %d", i)
		require.Greater(t, d, ceiling*999/1000, "delay %d", i)
	}
	for range 100 { // the cap holds however long the outage, with no overflow
		require.LessOrEqual(t, b.Next(), 30*time.Second)
	}

	r = 0 // the bottom of the range: retry at once
	require.Equal(t, time.Duration(0), b.Next())
	r = 0.5 // and uniformly between
	require.Equal(t, 15*time.Second, b.Next())

	b.Reset()
	require.Equal(t, 250*time.Millisecond, b.Next(), "after a reset the first retry is fast again")
	require.Equal(t, 500*time.Millisecond, b.Next())
}

// The client's reconnect loop waits on the injected clock for the backoff's delays, drawn with
// the injected random source: no sleeping, and Dial gives up when its context ends, saying why
// the last attempt failed.
func TestDialRetriesOnTheBackoffSchedule(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now: every attempt is refused

	clock := newFakeClock()
	st := newStates()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tokens atomic.Int32
	dialed := make(chan error, 1)
	go func() {
		_, err := Dial(ctx, "http://"+addr, "r1", Options{
			TokenSource: func(context.Context) (string, error) { tokens.Add(1); return "t", nil },
			Clock:       clock, Rand: func() float64 { return 0.5 }, OnStateChange: st.record,
		})
		dialed <- err
	}()
	for i, ceiling := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		w := clock.next(t)
		require.Equal(t, ceiling/2, w.d, "wait %d", i)
		ch := st.waitFor(t, StateConnecting)
		require.Equal(t, w.d, ch.Delay)
		require.Error(t, ch.Err)
		w.elapse()
	}
	clock.next(t)
	require.Equal(t, int32(9), tokens.Load(), "a token for every attempt")
	cancel()
	err = <-dialed
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "last attempt")
}

// A connection that lasted StableAfter resets the backoff; one that dropped at once does not.
func TestStableConnectionResetsBackoff(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t)
	clock := newFakeClock()
	st := newStates()
	c, err := Dial(testContext(t), fs.url(), "r1", Options{Clock: clock, Rand: func() float64 { return 0.5 },
		OnStateChange: st.record})
	require.NoError(t, err)
	defer c.Close()
	// connection returns the next connection once the client counts it as up.
	connection := func() *fakeConn {
		fc := fs.next(t)
		st.waitFor(t, StateConnected)
		return fc
	}

	connection().close(t, 1012) // dropped at once
	w := clock.next(t)
	require.Equal(t, 250*time.Millisecond, w.d)
	w.elapse()
	connection().close(t, 1012) // at once again: the backoff grows
	w = clock.next(t)
	require.Equal(t, 500*time.Millisecond, w.d)
	w.elapse()
	fc := connection()
	clock.advance(10 * time.Second) // this one proves stable
	fc.close(t, 1012)
	w = clock.next(t)
	require.Equal(t, 250*time.Millisecond, w.d, "the first retry after a stable connection is fast")
	w.elapse()
	connection()
}

// Every close code but 4003 means "connect again", with a fresh token (4001: the token
// expired); 4003 closes the client for good (TestRemovedCloseIsFinal).
func TestCloseCodes(t *testing.T) {
	t.Parallel()
	for _, code := range []int{CloseTokenExpired, CloseTooSlow, 1009, 1011, 1012, 1000} {
		t.Run(closeName(code), func(t *testing.T) {
			t.Parallel()
			fs := newFakeServer(t)
			st := newStates()
			var tokens atomic.Int32
			c, err := Dial(testContext(t), fs.url(), "r1", Options{
				TokenSource:   func(context.Context) (string, error) { return strconv.Itoa(int(tokens.Add(1))), nil },
				OnStateChange: st.record, BackoffMin: time.Millisecond,
			})
			require.NoError(t, err)
			defer c.Close()
			fc := fs.next(t)
			require.Equal(t, "Bearer 1", fc.header.Get("Authorization"))
			fc.close(t, code)
			ch := st.waitFor(t, StateReconnecting)
			var ce *CloseError
			require.ErrorAs(t, ch.Err, &ce)
			require.Equal(t, code, ce.Code)
			require.Equal(t, "Bearer 2", fs.next(t).header.Get("Authorization"))
			st.waitFor(t, StateConnected)
			require.NoError(t, c.Err())
		})
	}
}

func closeName(code int) string { return (&CloseError{Code: code}).Error() }

// 4003: the user was removed from the room. Connecting again would join them afresh, so the
// client closes with ErrRemoved instead.
func TestRemovedCloseIsFinal(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t)
	st := newStates()
	var tokens atomic.Int32
	c, err := Dial(testContext(t), fs.url(), "r1", Options{
		TokenSource:   func(context.Context) (string, error) { tokens.Add(1); return "t", nil },
		OnStateChange: st.record, BackoffMin: time.Millisecond,
	})
	require.NoError(t, err)
	defer c.Close()
	fs.next(t).close(t, CloseRemoved)
	<-c.Done()
	require.Equal(t, StateClosed, c.State())
	require.ErrorIs(t, c.Err(), ErrRemoved)
	var ce *CloseError
	require.True(t, errors.As(c.Err(), &ce))
	require.Equal(t, CloseRemoved, ce.Code)
	require.ErrorIs(t, st.waitFor(t, StateClosed).Err, ErrRemoved)
	require.Equal(t, int32(1), tokens.Load(), "no attempt after 4003")
	_, err = c.Create("tasks", "", map[string]any{})
	require.ErrorIs(t, err, ErrRemoved)
}
