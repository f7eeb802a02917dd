package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

const (
	// fanoutRecords is the working set the fan-out writers update in turn: a stream of changes
	// whose subscription result never grows.
	fanoutRecords = 64
	// fanoutInFlight bounds the changes written but not yet received by every subscriber. It
	// keeps every subscriber far inside the server's send queue (256 messages), so nobody is
	// closed as too slow and the figure is the rate fan-out sustains; and, below fanoutRecords,
	// it keeps two writes of one record from ever being in flight together.
	fanoutInFlight = 32
	// fanoutWriters write concurrently, enough that the write path (a commit each) is not what
	// limits the stream at the default 1000 subscribers.
	fanoutWriters = 8
	// fanoutSampled subscribers keep latencies; the others only count.
	fanoutSampled = 10
	// stallLimit is how long the writers wait for a subscriber to catch up before giving up;
	// catchUpLimit, the same for the first change, which waits for the server to finish with
	// the subscribers' arrivals.
	stallLimit   = 10 * time.Second
	catchUpLimit = 2 * time.Minute
)

// fanout measures one room with --subscribers subscribed sockets on the first replica, all
// receiving a stream of updates to a small working set, as fast as every subscriber keeps up.
func (r *runner) fanout(ctx context.Context) error {
	room := r.t.room("fanout")
	writers, err := connectMany(ctx, fanoutWriters, nil, func(ctx context.Context, i int) (*client, error) {
		return r.t.connect(ctx, r.t.replicas[0], room, userName("writer", i), nil, false)
	})
	if err != nil {
		return err
	}
	defer closeAll(writers)
	// The working set exists before anyone subscribes: every subscriber starts from it.
	for k := range fanoutRecords {
		ref := "init" + strconv.Itoa(k)
		if _, err := writers[0].request(ctx, putFrame(ref, "fan", fanoutID(int64(k)), recordData(time.Now(), 0, -1)), "ack"); err != nil {
			return fmt.Errorf("create the working set: %w", err)
		}
	}
	subs, clients, err := r.fanoutSubscribers(ctx, room)
	if err != nil {
		return err
	}
	defer closeAll(clients)
	err = r.fanoutMeasure(ctx, writers, subs)
	if lost := failures(append(clients, writers...)); lost != nil {
		// A subscriber closed (too slow, say) is why the writers stalled: say so.
		return errors.Join(err, lost)
	}
	return err
}

// fanoutMeasure streams changes through the writers and counts what the subscribers receive.
func (r *runner) fanoutMeasure(ctx context.Context, writers []*client, subs []*arrivals) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	released := gate(ctx, subs)
	// One change every subscriber must receive before the clock starts: the connections left
	// the server a backlog (each arrival is a users row, whose notification every session of the
	// room looks at), which is not fan-out.
	if err := writeChange(ctx, writers[0], 0, 0); err != nil {
		return err
	}
	if err := awaitRelease(ctx, released, 1, catchUpLimit); err != nil {
		return err
	}
	w := newWindow(r.warmup(), r.cfg.Duration)
	sampled := subs[:min(fanoutSampled, len(subs))]
	for _, a := range sampled {
		a.start(w, nil)
	}
	var sent atomic.Int64
	stop := r.log.watch("fanout", func() string {
		msgs, _ := fanoutTotals(subs)
		return fmt.Sprintf("%d changes written, %d messages received", sent.Load(), msgs)
	})
	defer stop()
	counted := make(chan [2]int64, 1)
	go func() { counted <- countWindow(w, subs) }()
	if err := fanoutWrite(ctx, writers, released, w, &sent); err != nil {
		return err
	}
	delta := <-counted
	r.res.FanoutMsgsPerS = num(float64(delta[0]) / w.seconds())
	r.res.FanoutRecordsPerS = num(float64(delta[1]) / w.seconds())
	lat := &samples{}
	for _, a := range sampled {
		fromSent, _ := a.latencies()
		lat.merge(fromSent.d)
	}
	r.res.FanoutP99Ms = num(lat.quantiles(0.99)[0])
	return nil
}

func fanoutID(n int64) string { return "f" + strconv.FormatInt(n%fanoutRecords, 10) }

func (r *runner) fanoutSubscribers(ctx context.Context, room string) ([]*arrivals, []*client, error) {
	n := r.cfg.Subscribers
	subs := make([]*arrivals, n)
	for i := range subs {
		subs[i] = &arrivals{sample: i < fanoutSampled}
	}
	var opened atomic.Int64
	stop := r.log.watch("fanout", func() string { return fmt.Sprintf("%d/%d subscribers connected", opened.Load(), n) })
	defer stop()
	clients, err := connectMany(ctx, n, &opened, func(ctx context.Context, i int) (*client, error) {
		c, err := r.t.connect(ctx, r.t.replicas[0], room, userName("subscriber", i), subs[i].onChange, false)
		if err != nil {
			return nil, err
		}
		if err := c.subscribe(ctx, []string{"fan"}, 0); err != nil {
			c.close()
			return nil, err
		}
		return c, nil
	})
	return subs, clients, err
}

// gate keeps the number of changes every subscriber has received fresh, until ctx ends, so
// that the writers need not each scan every subscriber.
func gate(ctx context.Context, subs []*arrivals) *atomic.Int64 {
	released := new(atomic.Int64)
	go func() {
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				released.Store(slowest(subs))
			}
		}
	}()
	return released
}

// fanoutWrite runs the writers until the window ends: each takes the next change number, waits
// until every subscriber is at most fanoutInFlight changes behind it, and writes it. Change 0
// is the one written before.
func fanoutWrite(ctx context.Context, writers []*client, released *atomic.Int64, w window, sent *atomic.Int64) error {
	var next atomic.Int64
	next.Store(1)
	return runWorkers(ctx, len(writers), func(ctx context.Context, i int) error {
		for time.Now().Before(w.end) {
			n := next.Add(1) - 1
			if err := awaitRelease(ctx, released, n-fanoutInFlight+1, stallLimit); err != nil {
				return err
			}
			if err := writeChange(ctx, writers[i], i, n); err != nil {
				return err
			}
			sent.Add(1)
		}
		return nil
	})
}

// writeChange puts change n into its record of the working set.
func writeChange(ctx context.Context, c *client, writer int, n int64) error {
	ref := "c" + strconv.FormatInt(n, 10)
	m, err := c.request(ctx, putFrame(ref, "fan", fanoutID(n), recordData(time.Now(), writer, n)), "ack")
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if m.Ref != ref {
		return fmt.Errorf("ack for %q while waiting for %q", m.Ref, ref)
	}
	return nil
}

// awaitRelease waits until released reaches want; a subscriber that makes no progress for
// limit fails the scenario rather than hanging it.
func awaitRelease(ctx context.Context, released *atomic.Int64, want int64, limit time.Duration) error {
	last, since := released.Load(), time.Now()
	for {
		got := released.Load()
		if got >= want {
			return nil
		}
		if got != last {
			last, since = got, time.Now()
		} else if time.Since(since) > limit {
			return fmt.Errorf("fan-out stalled: the slowest subscriber has had %d changes for %s", got, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Microsecond):
		}
	}
}

// slowest is the number of records the slowest subscriber has received.
func slowest(subs []*arrivals) int64 {
	low := int64(-1)
	for _, a := range subs {
		if got := a.received.Load(); low < 0 || got < low {
			low = got
		}
	}
	return low
}

func fanoutTotals(subs []*arrivals) (msgs, records int64) {
	for _, a := range subs {
		msgs += a.messages.Load()
		records += a.received.Load()
	}
	return msgs, records
}

// countWindow returns the messages and records received by all subscribers inside w.
func countWindow(w window, subs []*arrivals) [2]int64 {
	time.Sleep(time.Until(w.start))
	m0, r0 := fanoutTotals(subs)
	time.Sleep(time.Until(w.end))
	m1, r1 := fanoutTotals(subs)
	return [2]int64{m1 - m0, r1 - r0}
}
