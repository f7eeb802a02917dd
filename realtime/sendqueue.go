package realtime

import "sync"

// sendQueue holds a session's outgoing frames between the goroutines that produce them and its
// writer. It is a slice that grows only while frames wait, not a channel with room for the
// whole limit: an idle socket then costs nothing here (a channel of 256 frames would hold 8 KB
// per socket, idle or not).
type sendQueue struct {
	mu     sync.Mutex
	frames []outFrame
	// count and bytes are the frames not yet written: those waiting and those the writer took,
	// so a writer blocked on a slow socket still counts against the limits.
	count    int
	bytes    int64
	wake     chan struct{} // capacity 1: "frames are waiting"
	maxCount int
	maxBytes int64
}

func newSendQueue(maxCount int, maxBytes int64) *sendQueue {
	return &sendQueue{wake: make(chan struct{}, 1), maxCount: maxCount, maxBytes: maxBytes}
}

// push queues f; false when that would pass a limit (the client has fallen too far behind).
func (q *sendQueue) push(f outFrame) bool {
	q.mu.Lock()
	if q.count >= q.maxCount || q.bytes+int64(len(f.data)) > q.maxBytes {
		q.mu.Unlock()
		return false
	}
	q.frames = append(q.frames, f)
	q.count++
	q.bytes += int64(len(f.data))
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // already signalled
	}
	return true
}

// take hands the writer every waiting frame; it reports each one written with written.
func (q *sendQueue) take() []outFrame {
	q.mu.Lock()
	defer q.mu.Unlock()
	frames := q.frames
	q.frames = nil
	return frames
}

// written releases a frame's place in the limits.
func (q *sendQueue) written(f outFrame) {
	q.mu.Lock()
	q.count--
	q.bytes -= int64(len(f.data))
	q.mu.Unlock()
}
