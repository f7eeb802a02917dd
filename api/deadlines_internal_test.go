package api

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A proxied download whose source goes silent is cancelled; one that keeps sending is not.
func TestStallGuardCancelsASilentSource(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	cancelled := make(chan struct{})
	g := newStallGuard(pr, 500*time.Millisecond, func() { close(cancelled); _ = pw.CloseWithError(io.ErrUnexpectedEOF) })
	defer g.stop()
	go func() {
		for range 5 { // progress keeps the guard quiet (each write waits for its read)
			_, _ = pw.Write([]byte("x"))
		}
	}() // then silence
	buf := make([]byte, 8)
	for range 5 {
		n, err := g.Read(buf)
		require.NoError(t, err)
		require.Equal(t, 1, n)
	}
	select {
	case <-cancelled:
		t.Fatal("cancelled while the source was sending")
	default:
	}
	_, err := g.Read(buf)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the silent source was cancelled")
	<-cancelled
}
