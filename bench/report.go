package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Goals of issues 9 and 16. They are reported, never asserted: a run on a busy machine may miss
// them.
const (
	GoalMutationsVsBaseline = 1.0     // mutations_per_s ≥ this × baseline_insert_per_s (the plain table)
	GoalDeliveryP99Ms       = 25.0    // delivery_p99_ms, feed_p99_ms, rooms_p99_ms ≤
	GoalCrossReplicaP99Ms   = 50.0    // cross_replica_delivery_p99_ms, cross_replica_feed_p99_ms ≤
	GoalIdleConnBytes       = 10240.0 // idle_conn_bytes ≤ (10 KB)
	GoalFanoutMsgsPerS      = 100000. // fanout_msgs_per_s ≥
	GoalManySubsWriteCPUMs  = 1.0     // many_subs_write_cpu_ms ≤
)

// line is one row of the table.
type line struct {
	scenario, figure, unit string
	value                  *float64
	goal                   string
	// ratio is value against its goal (1 is exactly on it); ok says whether the goal is met.
	ratio *float64
	ok    bool
}

func (r *Result) lines() []line {
	atMost := func(v *float64, limit float64) (*float64, bool) {
		if v == nil {
			return nil, false
		}
		return num(*v / limit), *v <= limit
	}
	atLeast := func(v *float64, want float64) (*float64, bool) {
		if v == nil || want <= 0 {
			return nil, false
		}
		return num(*v / want), *v >= want
	}
	var baseline float64
	if r.BaselineInsertPerS != nil {
		baseline = GoalMutationsVsBaseline * *r.BaselineInsertPerS
	}
	mutRatio, mutOK := atLeast(r.MutationsPerS, baseline)
	delRatio, delOK := atMost(r.DeliveryP99Ms, GoalDeliveryP99Ms)
	crossRatio, crossOK := atMost(r.CrossReplicaDeliveryP99Ms, GoalCrossReplicaP99Ms)
	fanRatio, fanOK := atLeast(r.FanoutMsgsPerS, GoalFanoutMsgsPerS)
	idleRatio, idleOK := atMost(r.IdleConnBytes, GoalIdleConnBytes)
	feedRatio, feedOK := atMost(r.FeedP99Ms, GoalDeliveryP99Ms)
	crossFeedRatio, crossFeedOK := atMost(r.CrossReplicaFeedP99Ms, GoalCrossReplicaP99Ms)
	roomsRatio, roomsOK := atMost(r.RoomsP99Ms, GoalDeliveryP99Ms)
	cpuRatio, cpuOK := atMost(r.ManySubsWriteCPUMs, GoalManySubsWriteCPUMs)
	return []line{
		{scenario: "baseline", figure: "baseline_insert_per_s", unit: "rows/s", value: r.BaselineInsertPerS},
		{scenario: "baseline", figure: "baseline_p50_ms", unit: "ms", value: r.BaselineP50Ms},
		{scenario: "baseline", figure: "baseline_p99_ms", unit: "ms", value: r.BaselineP99Ms},
		{scenario: "baseline", figure: "baseline_triggered_insert_per_s", unit: "rows/s", value: r.BaselineTriggeredInsertPerS},
		{scenario: "baseline", figure: "baseline_triggered_p50_ms", unit: "ms", value: r.BaselineTriggeredP50Ms},
		{scenario: "baseline", figure: "baseline_triggered_p99_ms", unit: "ms", value: r.BaselineTriggeredP99Ms},
		{scenario: "mutations", figure: "mutations_per_s", unit: "acks/s", value: r.MutationsPerS,
			goal: "≥ 1.0 × baseline", ratio: mutRatio, ok: mutOK},
		{scenario: "mutations", figure: "mutations_vs_baseline", unit: "×", value: r.MutationsVsBaseline},
		{scenario: "mutations", figure: "mutations_vs_triggered_baseline", unit: "×", value: r.MutationsVsTriggeredBaseline},
		{scenario: "mutations", figure: "mutation_p50_ms", unit: "ms", value: r.MutationP50Ms},
		{scenario: "mutations", figure: "mutation_p99_ms", unit: "ms", value: r.MutationP99Ms},
		{scenario: "delivery", figure: "delivery_rate_per_s", unit: "writes/s", value: r.DeliveryRatePerS},
		{scenario: "delivery", figure: "delivery_p50_ms", unit: "ms", value: r.DeliveryP50Ms},
		{scenario: "delivery", figure: "delivery_p99_ms", unit: "ms", value: r.DeliveryP99Ms,
			goal: "≤ 25", ratio: delRatio, ok: delOK},
		{scenario: "delivery", figure: "delivery_sent_p99_ms", unit: "ms", value: r.DeliverySentP99Ms},
		{scenario: "delivery", figure: "cross_replica_delivery_p50_ms", unit: "ms", value: r.CrossReplicaDeliveryP50Ms},
		{scenario: "delivery", figure: "cross_replica_delivery_p99_ms", unit: "ms", value: r.CrossReplicaDeliveryP99Ms,
			goal: "≤ 50", ratio: crossRatio, ok: crossOK},
		{scenario: "delivery", figure: "cross_replica_delivery_sent_p99_ms", unit: "ms", value: r.CrossReplicaDeliverySentP99Ms},
		{scenario: "feed", figure: "feed_rate_per_s", unit: "writes/s", value: r.FeedRatePerS},
		{scenario: "feed", figure: "feed_p50_ms", unit: "ms", value: r.FeedP50Ms},
		{scenario: "feed", figure: "feed_p99_ms", unit: "ms", value: r.FeedP99Ms,
			goal: "≤ 25", ratio: feedRatio, ok: feedOK},
		{scenario: "feed", figure: "feed_sent_p99_ms", unit: "ms", value: r.FeedSentP99Ms},
		{scenario: "feed", figure: "cross_replica_feed_p50_ms", unit: "ms", value: r.CrossReplicaFeedP50Ms},
		{scenario: "feed", figure: "cross_replica_feed_p99_ms", unit: "ms", value: r.CrossReplicaFeedP99Ms,
			goal: "≤ 50", ratio: crossFeedRatio, ok: crossFeedOK},
		{scenario: "feed", figure: "cross_replica_feed_sent_p99_ms", unit: "ms", value: r.CrossReplicaFeedSentP99Ms},
		{scenario: "rooms", figure: "rooms_rate_per_s", unit: "writes/s", value: r.RoomsRatePerS},
		{scenario: "rooms", figure: "rooms_p50_ms", unit: "ms", value: r.RoomsP50Ms},
		{scenario: "rooms", figure: "rooms_p99_ms", unit: "ms", value: r.RoomsP99Ms,
			goal: "≤ 25", ratio: roomsRatio, ok: roomsOK},
		{scenario: "many-subs", figure: "many_subs_write_cpu_ms", unit: "ms", value: r.ManySubsWriteCPUMs,
			goal: "≤ 1", ratio: cpuRatio, ok: cpuOK},
		{scenario: "many-subs", figure: "many_subs_one_sub_write_cpu_ms", unit: "ms", value: r.ManySubsOneSubWriteCPUMs},
		{scenario: "fanout", figure: "fanout_msgs_per_s", unit: "msgs/s", value: r.FanoutMsgsPerS,
			goal: "≥ 100,000", ratio: fanRatio, ok: fanOK},
		{scenario: "fanout", figure: "fanout_records_per_s", unit: "records/s", value: r.FanoutRecordsPerS},
		{scenario: "fanout", figure: "fanout_p99_ms", unit: "ms", value: r.FanoutP99Ms},
		{scenario: "idle", figure: "idle_conn_bytes", unit: "bytes", value: r.IdleConnBytes,
			goal: "≤ 10,240", ratio: idleRatio, ok: idleOK},
		{scenario: "idle", figure: "idle_conn_heap_bytes", unit: "bytes", value: r.IdleConnHeapBytes},
		{scenario: "idle", figure: "idle_conn_goroutines", unit: "goroutines", value: r.IdleConnGoroutines},
	}
}

// WriteTable writes the figures as a table: scenario, figure, value, unit, the goal of issue 9,
// whether it is met, and the value as a multiple of the goal.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tfigure\tvalue\tunit\tgoal\tmet\tvs goal")
	for _, l := range r.lines() {
		met, vs := "", ""
		if l.goal != "" {
			met, vs = "-", "-"
			if l.ratio != nil {
				met = map[bool]string{true: "yes", false: "NO"}[l.ok]
				vs = strconv.FormatFloat(*l.ratio, 'f', 2, 64) + "×"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.scenario, l.figure, format(l.value, l.unit), l.unit, l.goal, met, vs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p := r.Params
	_, err := fmt.Fprintf(w, "\n%s, concurrency %d, %gs per scenario (+%gs warm-up), %d subscribers, %d idle sockets, rate %d/s, "+
		"%d many-subs subscriptions, %d rooms\n"+
		"%s, %d CPUs, PostgreSQL %s, load average %.2f at start\n",
		p.Mode, p.Concurrency, p.DurationS, p.WarmupS, p.Subscribers, p.Idle, p.Rate, p.ManySubs, p.Rooms,
		p.GoVersion, p.CPUs, p.PostgresVersion, p.LoadAvg1m)
	for _, e := range r.Errors {
		if err == nil {
			_, err = fmt.Fprintf(w, "FAILED: %s\n", e)
		}
	}
	return err
}

// format renders a figure: milliseconds with two decimals, counts with thousands separators.
func format(v *float64, unit string) string {
	if v == nil {
		return "-"
	}
	if unit == "ms" || unit == "goroutines" || unit == "×" {
		return strconv.FormatFloat(*v, 'f', 2, 64)
	}
	return thousands(int64(*v + 0.5))
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
