package realtime

import "sync"

// sendQueue holds a session's outgoing frames between the goroutines that produce them and its
// writer. It is a slice that grows only while frames wait, not a channel with room for the
// whole limit: an idle socket then costs nothing here (a channel of 256 frames would hold 8 KB
// per socket, idle or not).
//
// The writer runs only while there is something to write: push reports when none is running,
// and the caller starts one; the writer stops when it finds the queue empty (next). So an idle
// socket keeps no writer goroutine and no stack for it.
type sendQueue struct {
	mu     sync.Mutex
	frames []outFrame
	// count and bytes are the frames not yet written: those waiting and those the writer took,
	// so a writer blocked on a slow socket still counts against the limits.
	count    int
	bytes    int64
	writing  bool // a writer is running (or the closing writer has run: it stays set)
	maxCount int
	maxBytes int64
}

func newSendQueue(maxCount int, maxBytes int64) *sendQueue {
	return &sendQueue{maxCount: maxCount, maxBytes: maxBytes}
}

// push queues f. ok is false when that would pass a limit (the client has fallen too far
// behind); start is true when no writer is running and the caller must start one.
func (q *sendQueue) push(f outFrame) (ok, start bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.count >= q.maxCount || q.bytes+int64(len(f.data)) > q.maxBytes {
		return false, false
	}
	q.frames = append(q.frames, f)
	q.count++
	q.bytes += int64(len(f.data))
	return true, q.claim()
}

// wake asks for a writer without queueing anything (the session is closing); start as for push.
func (q *sendQueue) wake() (start bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.claim()
}

// claim marks a writer as running; true when none was.
func (q *sendQueue) claim() bool {
	if q.writing {
		return false
	}
	q.writing = true
	return true
}

// next hands the writer every waiting frame. With none waiting, the writer stops: unless
// closing() holds, which it checks under the queue's lock so that a close racing the writer's
// stop still finds a writer (wake starts one when this one has gone). stop tells the writer
// to return; closing with nothing to send tells it to say goodbye.
func (q *sendQueue) next(closing func() bool) (frames []outFrame, stop bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.frames) > 0 {
		frames, q.frames = q.frames, nil
		return frames, false
	}
	if closing() {
		return nil, false
	}
	q.writing = false
	return nil, true
}

// written releases a frame's place in the limits.
func (q *sendQueue) written(f outFrame) {
	q.mu.Lock()
	q.count--
	q.bytes -= int64(len(f.data))
	q.mu.Unlock()
}
