package bench

import (
	"context"
	"sync"
)

// runWorkers runs work(ctx, i) for i in [0, n) at once and waits for all of them. The first
// error cancels the others' ctx and is returned: a scenario whose client failed measures
// nothing worth reporting.
func runWorkers(ctx context.Context, n int, work func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for i := range n {
		wg.Go(func() {
			if err := work(ctx, i); err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		})
	}
	wg.Wait()
	return firstErr
}
