package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNextDoublesItsCeilingUpToMax(t *testing.T) {
	t.Parallel()
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.999999 }}
	var got []time.Duration
	for range 6 {
		got = append(got, b.Next().Round(time.Millisecond))
	}
	require.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second}, got)

	b.Reset()
	require.Equal(t, 100*time.Millisecond, b.Next().Round(time.Millisecond))
}

func TestNextIsJitteredDownToZero(t *testing.T) {
	t.Parallel()
	b := Backoff{Min: time.Second, Max: 30 * time.Second, Rand: func() float64 { return 0.5 }}
	require.Equal(t, 500*time.Millisecond, b.Next())
	require.Equal(t, time.Second, b.Next())
	b = Backoff{Min: time.Second, Max: 30 * time.Second, Rand: func() float64 { return 0 }}
	require.Zero(t, b.Next())
}

func TestNextNeverOverflows(t *testing.T) {
	t.Parallel()
	b := Backoff{Min: time.Second, Max: 30 * time.Second}
	for range 200 {
		d := b.Next()
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, 30*time.Second)
	}
}
