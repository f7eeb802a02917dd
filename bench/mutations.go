package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// mutations measures confirmed creates over WebSocket: --concurrency clients on the first
// replica, each sending a create with a ref and waiting for its ack before the next, as a widget
// that awaits its writes does. Nobody subscribes: this is the write path alone.
func (r *runner) mutations(ctx context.Context) error {
	n := r.cfg.Concurrency
	room := r.t.room("mutations")
	var opened atomic.Int64
	stopDial := r.log.watch("mutations", func() string { return fmt.Sprintf("%d/%d clients connected", opened.Load(), n) })
	clients, err := connectMany(ctx, n, &opened, func(ctx context.Context, i int) (*client, error) {
		return r.t.connect(ctx, r.t.replicas[0], room, userName("writer", i), nil, false)
	})
	stopDial()
	if err != nil {
		return err
	}
	defer closeAll(clients)

	var done atomic.Int64
	lat := &samples{}
	stop := r.log.watch("mutations", func() string { return fmt.Sprintf("%d acks", done.Load()) })
	defer stop()
	w := newWindow(r.warmup(), r.cfg.Duration)
	err = runWorkers(ctx, n, func(ctx context.Context, i int) error {
		c := clients[i]
		var local []time.Duration
		for seq := int64(0); ; seq++ {
			t0 := time.Now()
			if !t0.Before(w.end) {
				break
			}
			ref := "m" + strconv.FormatInt(seq, 10)
			m, err := c.request(ctx, createFrame(ref, "bench", recordData(t0, i, seq)), "ack")
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			if m.Ref != ref {
				return fmt.Errorf("ack for %q while waiting for %q", m.Ref, ref)
			}
			done.Add(1)
			if t1 := time.Now(); w.holds(t1) {
				local = append(local, t1.Sub(t0))
			}
		}
		lat.merge(local)
		return nil
	})
	if err != nil {
		return err
	}
	if err := failures(clients); err != nil {
		return err
	}
	q := lat.quantiles(0.5, 0.99)
	r.res.MutationsPerS = num(float64(lat.len()) / w.seconds())
	r.res.MutationP50Ms, r.res.MutationP99Ms = num(q[0]), num(q[1])
	return nil
}
