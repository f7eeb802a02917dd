package bench

import (
	"context"
	"fmt"
	"time"
)

// sendSchedule sends fire-and-forget creates on plan's schedule, one goroutine for all of them
// as a single busy client would: write n goes, when due, through the client and into the
// collection pick names. A write sent late (the socket or this process behind) is counted from
// when it was due by whoever measures its arrival. It returns how many it sent, and how many of
// them were due inside w.
func sendSchedule(ctx context.Context, plan schedule, w window, pick func(n int64) (*client, string)) (sent, inWindow int64, err error) {
	for n := int64(0); plan.due(n).Before(plan.end); n++ {
		due := plan.due(n)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return sent, inWindow, ctx.Err()
			}
		}
		c, col := pick(n)
		if err := c.send(fireFrame(col, recordData(time.Now(), 0, n))); err != nil {
			return sent, inWindow, fmt.Errorf("create: %w", err)
		}
		sent++
		if w.holds(due) {
			inWindow++
		}
	}
	return sent, inWindow, nil
}
