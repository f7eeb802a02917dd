// Package backoff computes retry delays: exponential growth with full jitter, so that many
// replicas or clients retrying after one outage spread out instead of arriving together.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Backoff yields the delay before each retry. The zero value is not usable: set Min and Max.
// It is not safe for concurrent use.
type Backoff struct {
	// Min is the ceiling of the first delay; Max caps every delay.
	Min, Max time.Duration
	// Rand returns a number in [0, 1); nil means math/rand/v2. Tests inject their own.
	Rand func() float64

	attempt int
}

// Next returns the delay before the next retry: uniform in [0, min(Max, Min·2^attempt)].
func (b *Backoff) Next() time.Duration {
	ceiling := b.Min << min(b.attempt, 30)
	if ceiling <= 0 || ceiling > b.Max {
		ceiling = b.Max
	}
	b.attempt++
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(r() * float64(ceiling))
}

// Reset starts over after a success.
func (b *Backoff) Reset() { b.attempt = 0 }
