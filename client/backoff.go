package client

import "time"

// backoff yields reconnect delays: exponential growth with full jitter, so that the clients of a
// replica that restarts spread their returns instead of arriving together. It belongs to the
// connection goroutine alone.
type backoff struct {
	min, max time.Duration
	rand     func() float64 // in [0, 1)
	attempt  int
}

// next returns the delay before the next attempt: uniform in [0, min(max, min·2^attempt)]. The
// first one is short (a restarting server is usually back at once).
func (b *backoff) next() time.Duration {
	ceiling := b.min << min(b.attempt, 32)
	if ceiling <= 0 || ceiling > b.max {
		ceiling = b.max
	}
	b.attempt++
	return time.Duration(b.rand() * float64(ceiling))
}

// reset starts over, after a connection that proved stable.
func (b *backoff) reset() { b.attempt = 0 }
