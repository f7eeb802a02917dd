package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
)

// rooms measures delivery across many small rooms: --rooms rooms on the first replica, each
// with one subscriber and one writer, and --rate fire-and-forget creates per second spread over
// them in turn (write n goes to room n mod --rooms), as many widgets on many canvases would
// make. Latency counts from when each write was due.
func (r *runner) rooms(ctx context.Context) error {
	n := r.cfg.Rooms
	base := r.t.replicas[0]
	roomOf := func(i int) string { return r.t.room("rooms-" + strconv.Itoa(i)) }
	// One sampler for all the subscribers: every write is received exactly once, in its room.
	got := &arrivals{sample: true}
	var opened atomic.Int64
	stopDial := r.log.watch("rooms", func() string { return fmt.Sprintf("%d/%d sockets open", opened.Load(), 2*n) })
	subs, err := connectMany(ctx, n, &opened, func(ctx context.Context, i int) (*client, error) {
		c, err := r.t.connect(ctx, base, roomOf(i), "subscriber", got.onChange, false)
		if err != nil {
			return nil, err
		}
		if err := c.subscribe(ctx, []string{"r"}, 0); err != nil {
			c.close()
			return nil, err
		}
		return c, nil
	})
	if err != nil {
		stopDial()
		return err
	}
	defer closeAll(subs)
	writers, err := connectMany(ctx, n, &opened, func(ctx context.Context, i int) (*client, error) {
		return r.t.connect(ctx, base, roomOf(i), "writer", nil, false)
	})
	stopDial()
	if err != nil {
		return err
	}
	defer closeAll(writers)

	w := newWindow(r.warmup(), r.cfg.Duration)
	plan := schedule{start: w.start.Add(-r.warmup()), rate: r.cfg.Rate, end: w.end}
	got.start(w, plan.due)
	stop := r.log.watch("rooms", func() string { return fmt.Sprintf("%d records received", got.received.Load()) })
	defer stop()
	sent, inWindow, err := sendSchedule(ctx, plan, w, func(k int64) (*client, string) { return writers[k%int64(n)], "r" })
	if err != nil {
		return err
	}
	lost := awaitArrivals(ctx, []*arrivals{got}, sent)
	if err := failures(append(subs, writers...)); err != nil {
		return err
	}
	r.res.RoomsRatePerS = num(float64(inWindow) / w.seconds())
	_, fromDue := got.latencies()
	q := fromDue.quantiles(0.5, 0.99)
	r.res.RoomsP50Ms, r.res.RoomsP99Ms = num(q[0]), num(q[1])
	if lost != "" {
		return fmt.Errorf("writes never delivered (nothing arrived for %s): %s", arrivalGrace, lost)
	}
	return nil
}
