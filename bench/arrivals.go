package bench

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// arrivals is what one subscriber received: counts always, latencies when sampling.
type arrivals struct {
	received atomic.Int64 // records (upserts)
	messages atomic.Int64 // changes messages
	sample   bool

	mu  sync.Mutex
	win window
	// due says when write n was due, on a schedule; nil when writes are sent as they are made.
	due      func(n int64) time.Time
	fromSent []time.Duration // arrival minus the send time in the record
	fromDue  []time.Duration // arrival minus when it was due (with due)
}

// start samples the records sent (or, with due, due) inside w.
func (a *arrivals) start(w window, due func(n int64) time.Time) {
	a.mu.Lock()
	a.win, a.due = w, due
	a.mu.Unlock()
}

// onChange is the subscriber's client's change handler: a record's latency is its arrival (the
// whole message read) minus the time the writer put in its data, and minus when it was due.
func (a *arrivals) onChange(m *message, at time.Time) {
	a.messages.Add(1)
	a.received.Add(int64(len(m.Upserts)))
	if !a.sample {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, u := range m.Upserts {
		var p payload
		if json.Unmarshal(u.Data, &p) != nil {
			continue // not a record the benchmark wrote
		}
		sent := p.sentAt()
		if a.due == nil {
			if a.win.holds(sent) {
				a.fromSent = append(a.fromSent, at.Sub(sent))
			}
			continue
		}
		if due := a.due(p.N); a.win.holds(due) {
			a.fromSent = append(a.fromSent, at.Sub(sent))
			a.fromDue = append(a.fromDue, at.Sub(due))
		}
	}
}

// latencies hands the samples over; call once the subscriber has stopped receiving.
func (a *arrivals) latencies() (fromSent, fromDue *samples) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &samples{d: a.fromSent}, &samples{d: a.fromDue}
}
