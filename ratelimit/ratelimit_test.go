package ratelimit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/ratelimit"
)

// A key gets its burst, then waits; keys do not share buckets; no limit allows everything.
func TestLimiter(t *testing.T) {
	t.Parallel()
	l := ratelimit.New(1, 3)
	for range 3 {
		ok, _ := l.Allow("a")
		require.True(t, ok)
	}
	ok, wait := l.Allow("a")
	require.False(t, ok)
	require.Positive(t, wait)
	require.LessOrEqual(t, wait, time.Second)
	ok, again := l.Allow("a")
	require.False(t, ok, "a refusal takes nothing, and gives nothing back")
	require.LessOrEqual(t, again, wait)
	ok, _ = l.Allow("b")
	require.True(t, ok, "another key has its own bucket")

	var none *ratelimit.Limiter = ratelimit.New(0, 0)
	for range 1000 {
		ok, _ := none.Allow("a")
		require.True(t, ok)
	}
	require.Equal(t, int64(1), ratelimit.Millis(time.Microsecond))
	require.Equal(t, int64(1500), ratelimit.Millis(1500*time.Millisecond))
}
