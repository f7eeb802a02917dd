// Package ratelimit holds the server's rate limits: a token bucket per key (a user in a room),
// kept for the keys seen lately. Limits are per replica: N replicas allow N times as much
// (docs/operations.md).
package ratelimit

import (
	"math"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// maxKeys bounds the buckets kept; a key that comes back after its bucket was evicted starts
// full again, which only ever allows more than the limit for keys idle long enough to be evicted.
const maxKeys = 100000

// Limiter allows Rate events per second per key, in bursts of up to Burst.
type Limiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets *simplelru.LRU[string, *rate.Limiter]
}

// New makes a limiter of perSecond events per key and bursts of burst; perSecond 0 is no limit
// (nil, whose Allow always allows).
func New(perSecond float64, burst int) *Limiter {
	if perSecond <= 0 {
		return nil
	}
	buckets, _ := simplelru.NewLRU[string, *rate.Limiter](maxKeys, nil) // size > 0: no error
	return &Limiter{rate: rate.Limit(perSecond), burst: max(burst, 1), buckets: buckets}
}

// Allow takes one event for key now, or says how long until one would be allowed.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	b, found := l.buckets.Get(key)
	if !found {
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets.Add(key, b)
	}
	l.mu.Unlock()
	now := time.Now()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // not taken: the caller is refused, not queued
		return false, d
	}
	return true, 0
}

// Millis is d in whole milliseconds, at least 1: what retryAfterMs says.
func Millis(d time.Duration) int64 {
	return max(1, int64(math.Ceil(float64(d)/float64(time.Millisecond))))
}
