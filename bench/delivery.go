package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"
)

const (
	// perCollection is how many records the delivery writers put in one collection before moving
	// to the next. Subscriptions ask for subscriptionLimit records, so none ever fills: a full
	// result window makes the server re-run the query on every change, a different (and far
	// slower) path from the in-memory match this scenario measures.
	perCollection     = 5000
	subscriptionLimit = 10000
	// maxSubscriptions is the server's default per-connection limit, which no RECORDROOM_*
	// variable changes: the scenarios stay inside it (many-subs opens connections of this many).
	maxSubscriptions = 100
	// arrivalGrace is how long the subscribers may go without receiving anything, once the
	// writes are done, before the records they lack count as lost.
	arrivalGrace = 10 * time.Second
)

// schedule is the delivery scenario's steady rate: write n is due at start + n/rate.
type schedule struct {
	start time.Time
	rate  int
	end   time.Time // no write is due from here on
}

func (s schedule) due(n int64) time.Time {
	return s.start.Add(time.Duration(n * int64(time.Second) / int64(s.rate)))
}

// delivery measures write-to-arrival latency at a steady --rate of creates, sent by
// --concurrency writers on the first replica, received by one subscriber on the same replica
// and one on the second.
func (r *runner) delivery(ctx context.Context) error {
	planned := int64(math.Ceil(float64(r.cfg.Rate) * (r.warmup() + r.cfg.Duration).Seconds()))
	ncol := int((planned + perCollection - 1) / perCollection)
	if ncol > maxSubscriptions {
		return fmt.Errorf("--rate × --duration is %d writes: at most %d fit this scenario", planned, maxSubscriptions*perCollection)
	}
	cols := make([]string, ncol)
	for i := range cols {
		cols[i] = "d" + strconv.Itoa(i)
	}
	room := r.t.room("delivery")
	subs, subClients, err := r.deliverySubscribers(ctx, room, cols)
	if err != nil {
		return err
	}
	defer closeAll(subClients)
	writers, err := connectMany(ctx, r.cfg.Concurrency, nil, func(ctx context.Context, i int) (*client, error) {
		return r.t.connect(ctx, r.t.replicas[0], room, userName("writer", i), nil, false)
	})
	if err != nil {
		return err
	}
	defer closeAll(writers)

	w := newWindow(r.warmup(), r.cfg.Duration)
	plan := schedule{start: time.Now(), rate: r.cfg.Rate, end: w.end}
	for _, a := range subs {
		a.start(w, plan.due)
	}
	var acked, ackedInWindow atomic.Int64
	stop := r.log.watch("delivery", func() string {
		return fmt.Sprintf("%d writes acknowledged, %d received on the same replica", acked.Load(), subs[0].received.Load())
	})
	defer stop()
	if err := writeSchedule(ctx, writers, cols, plan, w, &acked, &ackedInWindow); err != nil {
		return err
	}
	lost := awaitArrivals(ctx, subs, acked.Load())
	if err := failures(append(subClients, writers...)); err != nil {
		return err
	}
	r.deliveryFigures(subs, float64(ackedInWindow.Load())/w.seconds())
	if lost != "" {
		return fmt.Errorf("writes never delivered (nothing arrived for %s): %s", arrivalGrace, lost)
	}
	return nil
}

// deliveryFigures reports the rate achieved and each subscriber's latencies.
func (r *runner) deliveryFigures(subs []*arrivals, rate float64) {
	r.res.DeliveryRatePerS = num(rate)
	r.latencyFigures("delivery", subs, latencyFields{
		p50: &r.res.DeliveryP50Ms, p99: &r.res.DeliveryP99Ms, sentP99: &r.res.DeliverySentP99Ms,
		crossP50: &r.res.CrossReplicaDeliveryP50Ms, crossP99: &r.res.CrossReplicaDeliveryP99Ms,
		crossSentP99: &r.res.CrossReplicaDeliverySentP99Ms,
	})
}

// latencyFields are where a scenario's latency figures go: its same-replica subscriber's
// (subs[0]) and its cross-replica subscriber's (subs[1]).
type latencyFields struct {
	p50, p99, sentP99, crossP50, crossP99, crossSentP99 **float64
}

// latencyFigures reports p50 and p99 from when each write was due and p99 from when it was sent,
// for each subscriber; a run without a second replica says so.
func (r *runner) latencyFigures(scenario string, subs []*arrivals, f latencyFields) {
	set := func(a *arrivals, p50, p99, sentP99 **float64) {
		fromSent, fromDue := a.latencies()
		q := fromDue.quantiles(0.5, 0.99)
		*p50, *p99 = num(q[0]), num(q[1])
		*sentP99 = num(fromSent.quantiles(0.99)[0])
	}
	set(subs[0], f.p50, f.p99, f.sentP99)
	if len(subs) < 2 {
		r.note(scenario + ": no second replica (--url2): cross-replica delivery not measured")
		return
	}
	set(subs[1], f.crossP50, f.crossP99, f.crossSentP99)
}

// deliverySubscribers connects one subscriber to each replica, subscribed to every collection
// the writers will use.
func (r *runner) deliverySubscribers(ctx context.Context, room string, cols []string) ([]*arrivals, []*client, error) {
	var subs []*arrivals
	var clients []*client
	for k, base := range r.t.replicas[:min(2, len(r.t.replicas))] {
		a := &arrivals{sample: true}
		c, err := r.t.connect(ctx, base, room, userName("subscriber", k), a.onChange, false)
		if err == nil {
			err = c.subscribe(ctx, cols, subscriptionLimit)
			clients = append(clients, c)
		}
		if err != nil {
			closeAll(clients)
			return nil, nil, err
		}
		subs = append(subs, a)
	}
	return subs, clients, nil
}

// writeSchedule sends the creates plan says are due, each through whichever writer is free.
// When all are busy the due writes queue up, and their latency, counted from when they were
// due, shows it.
func writeSchedule(ctx context.Context, writers []*client, cols []string, plan schedule, w window, acked, ackedInWindow *atomic.Int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int64, plan.rate)
	go func() {
		defer close(jobs)
		for n := int64(0); plan.due(n).Before(plan.end); n++ {
			if d := time.Until(plan.due(n)); d > 0 {
				time.Sleep(d)
			}
			select {
			case jobs <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return runWorkers(ctx, len(writers), func(ctx context.Context, i int) error {
		for n := range jobs {
			ref := "d" + strconv.FormatInt(n, 10)
			m, err := writers[i].request(ctx, createFrame(ref, cols[n/perCollection], recordData(time.Now(), i, n)), "ack")
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			if m.Ref != ref {
				return fmt.Errorf("ack for %q while waiting for %q", m.Ref, ref)
			}
			acked.Add(1)
			if w.holds(time.Now()) {
				ackedInWindow.Add(1)
			}
		}
		return nil
	})
}

// awaitArrivals waits for every subscriber to have received want records, for as long as they
// keep receiving (a replica far behind is late, not lossy), and describes those that did not
// ("" when all did).
func awaitArrivals(ctx context.Context, subs []*arrivals, want int64) string {
	var last int64 = -1
	since := time.Now()
	for {
		var short string
		var total int64
		for k, a := range subs {
			got := a.received.Load()
			total += got
			if got < want {
				short += fmt.Sprintf("subscriber %d got %d of %d; ", k, got, want)
			}
		}
		if total != last {
			last, since = total, time.Now()
		}
		if short == "" || time.Since(since) > arrivalGrace || ctx.Err() != nil {
			return short
		}
		time.Sleep(10 * time.Millisecond)
	}
}
