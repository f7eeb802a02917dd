package bench

import (
	"encoding/json"
	"math"
	"time"
)

// Result is what a run measured, and with what. A figure whose scenario did not run, or
// failed, is null in JSON.
type Result struct {
	// baseline: single-row INSERTs straight into the records table.
	BaselineInsertPerS *float64 `json:"baseline_insert_per_s"`
	BaselineP50Ms      *float64 `json:"baseline_p50_ms"`
	BaselineP99Ms      *float64 `json:"baseline_p99_ms"`

	// mutations: confirmed creates over WebSocket, throughput and send-to-ack latency.
	MutationsPerS *float64 `json:"mutations_per_s"`
	MutationP50Ms *float64 `json:"mutation_p50_ms"`
	MutationP99Ms *float64 `json:"mutation_p99_ms"`

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
