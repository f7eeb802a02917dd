package bench

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress tells the person waiting what the benchmark is doing, on stderr: stdout is kept for
// the table and the JSON line.
type progress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *progress) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "bench: "+format+"\n", args...)
}

// progressEvery is how often a running scenario reports.
const progressEvery = 2 * time.Second

// watch prints status() every progressEvery until the returned stop is called.
func (p *progress) watch(scenario string, status func() string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p.printf("%s: %s", scenario, status())
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// writer is where progress goes, for loggers that share it.
func (p *progress) writer() io.Writer {
	if p.w == nil {
		return io.Discard
	}
	return p.w
}
