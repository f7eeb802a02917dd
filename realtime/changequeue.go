package realtime

import (
	"context"
	"sync"
)

// maxQueuedChanges bounds the notifications waiting to be handled. Past it they are dropped and
// every subscription is re-evaluated instead, as after a listener reconnect: nothing is lost,
// and memory stays bounded however far the fan-out falls behind.
const maxQueuedChanges = 20000

// changeQueue decouples reading notifications from delivering them. The listener only queues; one
// goroutine, alive while there is work, delivers the queue in commit order, taking the changes
// that queued up meanwhile together: under load, one query fetches the rows of many
// notifications.
type changeQueue struct {
	mu       sync.Mutex
	changes  []Change
	overflow bool
	running  chan struct{} // while the delivering goroutine runs; closed when it ends
}

// QueueChange queues one change notification for this replica's sessions and returns at once,
// so the listener never waits on fan-out; deliverQueued delivers it.
func (h *Hub) QueueChange(c Change) {
	q := &h.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.changes) >= maxQueuedChanges {
		q.changes, q.overflow = nil, true
	} else if !q.overflow {
		q.changes = append(q.changes, c)
	}
	if q.running == nil {
		q.running = make(chan struct{})
		go h.deliverQueued(q.running)
	}
}

// deliverQueued delivers queued changes until the queue is empty, then ends, closing done.
func (h *Hub) deliverQueued(done chan struct{}) {
	q := &h.queue
	for {
		q.mu.Lock()
		changes, overflow := q.changes, q.overflow
		q.changes, q.overflow = nil, false
		if len(changes) == 0 && !overflow {
			q.running = nil
			close(done)
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		if overflow {
			h.cfg.Logger.Warn("change notifications queued past the limit; re-evaluating every subscription", "limit", maxQueuedChanges)
			ctx, cancel := context.WithTimeout(context.Background(), workTimeout)
			_ = h.Resync(ctx)
			cancel()
			continue
		}
		for _, c := range coalesce(changes) {
			h.deliverChange(c)
		}
	}
}

// wait waits for the delivering goroutine running now, if any, to end (or for ctx).
func (q *changeQueue) wait(ctx context.Context) {
	q.mu.Lock()
	running := q.running
	q.mu.Unlock()
	if running == nil {
		return
	}
	select {
	case <-running:
	case <-ctx.Done():
	}
}

// coalesce joins runs of changes to the same table with the same op into one: fan-out reads
// the current rows behind the keys, so one fetch serves them all, in the same order.
func coalesce(changes []Change) []Change {
	out := changes[:0:0]
	for _, c := range changes {
		if n := len(out); n > 0 && out[n-1].Table == c.Table && out[n-1].Op == c.Op && c.Table != tableAwareness {
			last := &out[n-1]
			last.Rows = append(last.Rows[:len(last.Rows):len(last.Rows)], c.Rows...)
			continue
		}
		out = append(out, c)
	}
	return out
}
