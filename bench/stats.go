package bench

import (
	"math"
	"slices"
	"sync"
	"time"
)

// window is the part of a scenario that counts: it starts after a warm-up (connections made,
// pools filled, caches warm) and lasts the configured duration.
type window struct {
	start, end time.Time
}

func newWindow(warmup, duration time.Duration) window {
	start := time.Now().Add(warmup)
	return window{start: start, end: start.Add(duration)}
}

// holds reports whether t falls inside the window.
func (w window) holds(t time.Time) bool {
	return !t.Before(w.start) && t.Before(w.end)
}

func (w window) seconds() float64 { return w.end.Sub(w.start).Seconds() }

// samples collects latencies from several goroutines. Every sample is kept and sorted at the
// end: exact quantiles, and at the sizes of these scenarios (≤ a few million) cheap enough.
type samples struct {
	mu sync.Mutex
	d  []time.Duration
}

// merge adds a batch collected without the lock.
func (s *samples) merge(d []time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d...)
	s.mu.Unlock()
}

func (s *samples) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.d)
}

// quantiles returns the nearest-rank quantiles qs (0 < q ≤ 1) in milliseconds; NaN when there
// are no samples.
func (s *samples) quantiles(qs ...float64) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.d)
	out := make([]float64, len(qs))
	for i, q := range qs {
		out[i] = math.NaN()
		if len(s.d) == 0 {
			continue
		}
		rank := int(math.Ceil(q*float64(len(s.d)))) - 1
		rank = max(0, min(rank, len(s.d)-1))
		out[i] = ms(s.d[rank])
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
