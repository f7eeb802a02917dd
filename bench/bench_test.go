package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/app"
	"github.com/recordroom/recordroom/bench"
	"github.com/recordroom/recordroom/internal/testdb"
)

// serveEnv makes this test binary act as `recordroom serve`: the idle scenario runs its server
// as a process of its own, with the replicas' environment.
const serveEnv = "RECORDROOM_BENCH_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		os.Exit(serve())
	}
	os.Exit(m.Run())
}

func serve() int {
	cfg, err := app.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, app.Options{Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil))}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// figures are the JSON fields issues 9 and 16 ask for, and the ones added to explain them.
var figures = []string{
	"baseline_insert_per_s", "baseline_p50_ms", "baseline_p99_ms",
	"baseline_triggered_insert_per_s", "baseline_triggered_p50_ms", "baseline_triggered_p99_ms",
	"mutations_per_s", "mutation_p50_ms", "mutation_p99_ms",
	"mutations_vs_baseline", "mutations_vs_triggered_baseline",
	"delivery_p50_ms", "delivery_p99_ms", "delivery_sent_p99_ms",
	"cross_replica_delivery_p50_ms", "cross_replica_delivery_p99_ms", "cross_replica_delivery_sent_p99_ms",
	"delivery_rate_per_s",
	"feed_rate_per_s", "feed_p50_ms", "feed_p99_ms", "feed_sent_p99_ms",
	"cross_replica_feed_p50_ms", "cross_replica_feed_p99_ms", "cross_replica_feed_sent_p99_ms",
	"rooms_rate_per_s", "rooms_p50_ms", "rooms_p99_ms",
	"many_subs_write_cpu_ms", "many_subs_one_sub_write_cpu_ms",
	"fanout_msgs_per_s", "fanout_records_per_s", "fanout_p99_ms",
	"idle_conn_bytes", "idle_conn_heap_bytes", "idle_conn_goroutines",
}

// Every scenario runs at a tiny size against replicas the benchmark starts itself, and reports
// every figure as a positive, finite number, with the parameters it ran with. No figure is
// compared with a goal: that is the benchmark's report, never a test's assertion.
func TestEveryScenarioReportsEveryFigure(t *testing.T) {
	t.Parallel()
	res, err := bench.Run(t.Context(), bench.Config{
		DatabaseURL:  testdb.New(t).URL,
		Concurrency:  2,
		Duration:     500 * time.Millisecond,
		Subscribers:  20,
		Idle:         200,
		Rate:         100,
		ManySubs:     150,
		Rooms:        10,
		ServeCommand: []string{os.Args[0]},
		ServerEnv:    map[string]string{serveEnv: "1"},
		Progress:     t.Output(),
	})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	require.Empty(t, res.Notes)

	line, err := res.JSON()
	require.NoError(t, err)
	require.NotContains(t, string(line), "\n", "one line")
	var got map[string]any
	require.NoError(t, json.Unmarshal(line, &got))
	for _, name := range figures {
		v, ok := got[name].(float64)
		require.True(t, ok, "%s is %v", name, got[name])
		require.False(t, math.IsInf(v, 0) || math.IsNaN(v), name)
		require.Positive(t, v, name)
	}
	require.Equal(t, map[string]any{
		"mode": "in-process", "concurrency": 2.0, "duration_s": 0.5, "subscribers": 20.0, "idle": 200.0, "rate": 100.0,
		"many_subs": 150.0, "rooms": 10.0,
	}, pick(got, "mode", "concurrency", "duration_s", "subscribers", "idle", "rate", "many_subs", "rooms"))
	for _, name := range []string{"go_version", "postgres_version", "started_at"} {
		require.NotEmpty(t, got[name], name)
	}
	require.Positive(t, got["cpus"])

	var table bytes.Buffer
	require.NoError(t, res.WriteTable(&table))
	for _, name := range figures {
		require.Contains(t, table.String(), name)
	}
}

// Only the scenarios asked for run; the others' figures are null.
func TestScenariosRunsASubset(t *testing.T) {
	t.Parallel()
	res, err := bench.Run(t.Context(), bench.Config{
		DatabaseURL: testdb.New(t).URL,
		Concurrency: 2,
		Duration:    200 * time.Millisecond,
		Scenarios:   []string{"mutations"},
		Progress:    t.Output(),
	})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	require.NotNil(t, res.MutationsPerS)
	require.Nil(t, res.BaselineInsertPerS)
	require.Nil(t, res.FanoutMsgsPerS)
	line, err := res.JSON()
	require.NoError(t, err)
	require.Contains(t, string(line), `"baseline_insert_per_s":null`)
}

// A configuration that cannot run is refused before anything starts.
func TestRefusesUnknownScenarios(t *testing.T) {
	t.Parallel()
	_, err := bench.Run(t.Context(), bench.Config{Scenarios: []string{"nope"}})
	require.ErrorContains(t, err, `unknown scenario "nope"`)
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}
