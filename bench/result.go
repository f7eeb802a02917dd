package bench

import (
	"encoding/json"
	"math"
	"time"
)

// Result is what a run measured, and with what. A figure whose scenario did not run, or
// failed, is null in JSON.
type Result struct {
	// baseline: single-row INSERTs into a plain table of the records' shape (no trigger), and
	// the same into the records table, whose trigger NOTIFYs.
	BaselineInsertPerS          *float64 `json:"baseline_insert_per_s"`
	BaselineP50Ms               *float64 `json:"baseline_p50_ms"`
	BaselineP99Ms               *float64 `json:"baseline_p99_ms"`
	BaselineTriggeredInsertPerS *float64 `json:"baseline_triggered_insert_per_s"`
	BaselineTriggeredP50Ms      *float64 `json:"baseline_triggered_p50_ms"`
	BaselineTriggeredP99Ms      *float64 `json:"baseline_triggered_p99_ms"`

	// mutations: confirmed creates over WebSocket, throughput and send-to-ack latency.
	MutationsPerS *float64 `json:"mutations_per_s"`
	MutationP50Ms *float64 `json:"mutation_p50_ms"`
	MutationP99Ms *float64 `json:"mutation_p99_ms"`
	// MutationsVsBaseline and MutationsVsTriggeredBaseline are mutations_per_s divided by the
	// plain and the triggered baseline (the goal is the first ≥ 1).
	MutationsVsBaseline          *float64 `json:"mutations_vs_baseline"`
	MutationsVsTriggeredBaseline *float64 `json:"mutations_vs_triggered_baseline"`

	// delivery: write-to-arrival latency at a steady rate, on the writers' replica and the other,
	// from when each write was due; the Sent figures count from when it was sent instead, and
	// differ where the writers could not keep the rate.
	DeliveryP50Ms                 *float64 `json:"delivery_p50_ms"`
	DeliveryP99Ms                 *float64 `json:"delivery_p99_ms"`
	DeliverySentP99Ms             *float64 `json:"delivery_sent_p99_ms"`
	CrossReplicaDeliveryP50Ms     *float64 `json:"cross_replica_delivery_p50_ms"`
	CrossReplicaDeliveryP99Ms     *float64 `json:"cross_replica_delivery_p99_ms"`
	CrossReplicaDeliverySentP99Ms *float64 `json:"cross_replica_delivery_sent_p99_ms"`
	// DeliveryRatePerS is the write rate achieved (acknowledged creates/s) against --rate asked.
	DeliveryRatePerS *float64 `json:"delivery_rate_per_s"`

	// feed: a subscriber to the newest 50 of a collection (orderBy createdAt desc, limit 50) on
	// each replica while one client sends fire-and-forget creates at --rate: latency from when
	// each write was due (Sent: from when it was sent), and the rate achieved.
	FeedRatePerS              *float64 `json:"feed_rate_per_s"`
	FeedP50Ms                 *float64 `json:"feed_p50_ms"`
	FeedP99Ms                 *float64 `json:"feed_p99_ms"`
	FeedSentP99Ms             *float64 `json:"feed_sent_p99_ms"`
	CrossReplicaFeedP50Ms     *float64 `json:"cross_replica_feed_p50_ms"`
	CrossReplicaFeedP99Ms     *float64 `json:"cross_replica_feed_p99_ms"`
	CrossReplicaFeedSentP99Ms *float64 `json:"cross_replica_feed_sent_p99_ms"`

	// many-subs: server CPU per write in a room of --many-subs equality-filtered subscriptions
	// (one of which the write matches), and per write in a room of one subscription, measured in
	// a server process of its own.
	ManySubsWriteCPUMs       *float64 `json:"many_subs_write_cpu_ms"`
	ManySubsOneSubWriteCPUMs *float64 `json:"many_subs_one_sub_write_cpu_ms"`

	// rooms: --rooms rooms with one subscriber each, --rate fire-and-forget creates/s spread over
	// them: latency from when each write was due, and the rate achieved.
	RoomsRatePerS *float64 `json:"rooms_rate_per_s"`
	RoomsP50Ms    *float64 `json:"rooms_p50_ms"`
	RoomsP99Ms    *float64 `json:"rooms_p99_ms"`

	// fanout: one room, many subscribers, a stream of changes.
	FanoutMsgsPerS    *float64 `json:"fanout_msgs_per_s"`
	FanoutRecordsPerS *float64 `json:"fanout_records_per_s"`
	FanoutP99Ms       *float64 `json:"fanout_p99_ms"`

	// idle: memory of a server process per open, subscribed, idle socket: resident (the goal),
	// Go heap plus goroutine stacks, and goroutines.
	IdleConnBytes      *float64 `json:"idle_conn_bytes"`
	IdleConnHeapBytes  *float64 `json:"idle_conn_heap_bytes"`
	IdleConnGoroutines *float64 `json:"idle_conn_goroutines"`

	Params
	// Notes says what was not measured, and why (a scenario that cannot run against this target).
	Notes []string `json:"notes"`
	// Errors lists the scenarios that failed and why; empty when every figure can be trusted.
	Errors []string `json:"errors"`
}

// Params are the conditions of a run, kept with its figures so that runs can be compared.
type Params struct {
	Mode string `json:"mode"` // "in-process" or "url"
	// ServerEnv is the configuration the replicas the benchmark started were given beyond its own.
	ServerEnv       []string  `json:"server_env"`
	Scenarios       []string  `json:"scenarios"`
	Concurrency     int       `json:"concurrency"`
	DurationS       float64   `json:"duration_s"`
	WarmupS         float64   `json:"warmup_s"`
	Subscribers     int       `json:"subscribers"`
	Idle            int       `json:"idle"`
	Rate            int       `json:"rate"`
	ManySubs        int       `json:"many_subs"`
	Rooms           int       `json:"rooms"`
	GoVersion       string    `json:"go_version"`
	CPUs            int       `json:"cpus"`
	PostgresVersion string    `json:"postgres_version"`
	LoadAvg1m       float64   `json:"load_avg_1m"` // the machine's load when the run started
	StartedAt       time.Time `json:"started_at"`
}

// JSON is the result as one line.
func (r *Result) JSON() ([]byte, error) {
	if r.Errors == nil {
		r.Errors = []string{}
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	if r.ServerEnv == nil {
		r.ServerEnv = []string{}
	}
	return json.Marshal(r)
}

// num is v as a JSON figure: nil (null) where v is not a finite number.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
