package bench

import (
	"context"
	"fmt"
	"sync/atomic"
)

// idleRoomSize is how many idle sockets share a room: many small rooms, as widgets on many
// canvases would make. The sockets of a room are one user's, so that opening them does not
// write a users row each: the scenario measures memory, not arrivals.
const idleRoomSize = 50

// idle measures what an open, subscribed, idle socket costs a server: the growth of the server
// process's resident memory (and, to explain it, of its Go heap and stacks and its goroutines)
// from before --idle sockets connect to after, divided by their number.
func (r *runner) idle(ctx context.Context) error {
	base, release, err := r.t.memoryServer(ctx)
	if err != nil {
		return err
	}
	defer release()
	// A first round that is closed again: the server's one-time allocations (pools, caches,
	// buffers that every later socket shares) are not the sockets' to pay for.
	warm, err := r.openIdle(ctx, base, min(r.cfg.Idle, idleRoomSize), nil)
	if err != nil {
		return err
	}
	closeAll(warm)
	before, err := settledMemory(ctx, base)
	if err != nil {
		return err
	}
	n := r.cfg.Idle
	var opened atomic.Int64
	stop := r.log.watch("idle", func() string { return fmt.Sprintf("%d/%d sockets open", opened.Load(), n) })
	clients, err := r.openIdle(ctx, base, n, &opened)
	stop()
	if err != nil {
		return err
	}
	defer closeAll(clients)
	after, err := settledMemory(ctx, base)
	if err != nil {
		return err
	}
	if err := failures(clients); err != nil {
		return err
	}
	d := after.growthPer(before, n)
	r.log.printf("idle: per socket: resident %.0f B, Go heap %.0f B, goroutine stacks %.0f B, %.2f goroutines",
		d.rss, d.heap, d.stacks, d.goroutines)
	r.res.IdleConnBytes = num(d.rss)
	r.res.IdleConnHeapBytes = num(d.heap + d.stacks)
	r.res.IdleConnGoroutines = num(d.goroutines)
	return nil
}

// openIdle opens n subscribed sockets on base, idleRoomSize to a room.
func (r *runner) openIdle(ctx context.Context, base string, n int, opened *atomic.Int64) ([]*client, error) {
	return connectMany(ctx, n, opened, func(ctx context.Context, i int) (*client, error) {
		room := r.t.room(fmt.Sprintf("idle-%d", i/idleRoomSize))
		c, err := r.t.connect(ctx, base, room, "idle", nil, true)
		if err != nil {
			return nil, err
		}
		if err := c.subscribe(ctx, []string{"notes"}, 0); err != nil {
			c.close()
			return nil, err
		}
		return c, nil
	})
}
