package bench

import (
	"context"
	"fmt"

	"github.com/recordroom/recordroom/protocol"
)

// feedLimit is the feed's window: the newest 50 records of the collection.
const feedLimit = 50

// feed measures the commonest live view, "the newest N": one subscriber on each replica to the
// newest 50 of a collection (orderBy createdAt desc, limit 50, a window that is full after the
// first 50 writes) while one client on the first replica sends --rate fire-and-forget creates
// per second into it. Latency counts from when each write was due.
func (r *runner) feed(ctx context.Context) error {
	room := r.t.room("feed")
	order := []protocol.OrderKey{{Field: "createdAt", Dir: "desc"}}
	var subs []*arrivals
	var clients []*client
	defer func() { closeAll(clients) }()
	for k, base := range r.t.replicas[:min(2, len(r.t.replicas))] {
		a := &arrivals{sample: true}
		c, err := r.t.connect(ctx, base, room, userName("subscriber", k), a.onChange, false)
		if err != nil {
			return err
		}
		clients = append(clients, c)
		if _, err := c.request(ctx, queryFrame("feed", "feed", nil, order, feedLimit), "snapshot"); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		subs = append(subs, a)
	}
	writer, err := r.t.connect(ctx, r.t.replicas[0], room, "writer", nil, false)
	if err != nil {
		return err
	}
	clients = append(clients, writer)

	w := newWindow(r.warmup(), r.cfg.Duration)
	plan := schedule{start: w.start.Add(-r.warmup()), rate: r.cfg.Rate, end: w.end}
	for _, a := range subs {
		a.start(w, plan.due)
	}
	stop := r.log.watch("feed", func() string {
		return fmt.Sprintf("%d records received on the same replica", subs[0].received.Load())
	})
	defer stop()
	sent, inWindow, err := sendSchedule(ctx, plan, w, func(int64) (*client, string) { return writer, "feed" })
	if err != nil {
		return err
	}
	// A write that commits behind 50 newer ones (createdAt is its transaction's start) never
	// enters the window: that is right, and rare, so it is a note rather than a failure.
	short := awaitArrivals(ctx, subs, sent)
	if err := failures(clients); err != nil {
		return err
	}
	if short != "" {
		r.note("feed: not every write reached every subscriber (nothing more arrived for " + arrivalGrace.String() + "): " + short)
	}
	r.res.FeedRatePerS = num(float64(inWindow) / w.seconds())
	r.latencyFigures("feed", subs, latencyFields{
		p50: &r.res.FeedP50Ms, p99: &r.res.FeedP99Ms, sentP99: &r.res.FeedSentP99Ms,
		crossP50: &r.res.CrossReplicaFeedP50Ms, crossP99: &r.res.CrossReplicaFeedP99Ms,
		crossSentP99: &r.res.CrossReplicaFeedSentP99Ms,
	})
	return nil
}
