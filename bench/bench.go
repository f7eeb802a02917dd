// Package bench is `recordroom bench`: it drives RecordRoom replicas with real WebSocket
// clients and measures them against raw Postgres (issue 9). Scenarios:
//
//   - baseline: single-row INSERTs with pgx into a plain table without trigger, and into the
//     records table with its notify trigger;
//   - mutations: confirmed creates over WebSocket, throughput and ack latency;
//   - delivery: write-to-arrival latency at a steady rate, same replica and across replicas;
//   - feed: the newest 50 of a collection, at a steady rate of fire-and-forget creates;
//   - many-subs: the server CPU of one write among many equality-filtered subscriptions;
//   - rooms: delivery latency across many rooms of one subscriber each;
//   - fanout: one room, many subscribers, a stream of changes;
//   - idle: server memory per open, subscribed, idle socket.
//
// It either starts two replicas in this process on a fresh database, or drives running ones
// (Config.URL). docs/performance.md says how each figure is measured.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config says what to run and against what.
type Config struct {
	// URL and URL2 are running replicas of one deployment; with URL empty the benchmark starts
	// two replicas itself.
	URL, URL2 string
	// Secret is the HS256 secret the running replicas verify tokens with (URL only).
	Secret string
	// DatabaseURL is, without URL, a Postgres server on which the benchmark creates (and drops) a
	// database of its own; with URL, the replicas' own database, for the baseline (optional).
	DatabaseURL string

	Concurrency int           // clients writing at once (baseline, mutations, delivery writers)
	Duration    time.Duration // measured time per scenario, after a warm-up
	Subscribers int           // fan-out subscribers
	Idle        int           // idle sockets
	Rate        int           // writes per second in delivery, feed and rooms
	ManySubs    int           // subscriptions in the many-subs room
	Rooms       int           // rooms in the rooms scenario
	Scenarios   []string      // a subset of ScenarioNames; empty runs them all

	// ServerEnv configures the replicas the benchmark starts (RECORDROOM_* variables, see
	// ServerEnvFrom); the benchmark sets their address, data folder, token secret and database.
	ServerEnv map[string]string

	// ServeCommand runs a replica configured by its environment (`recordroom serve`). Without
	// URL the idle scenario needs it: the server whose memory it measures must be a process of
	// its own.
	ServeCommand []string

	// Progress receives what the benchmark is doing, line by line; nil says nothing.
	Progress io.Writer
}

// Defaults of Config, and of the command's flags.
const (
	DefaultConcurrency = 32
	DefaultDuration    = 10 * time.Second
	DefaultSubscribers = 1000
	DefaultIdle        = 5000
	DefaultRate        = 1000
	DefaultManySubs    = 10000
	DefaultRooms       = 1000
)

// The sizes of a short run (--short), for a quick check that everything works rather than
// figures to compare.
const (
	ShortDuration    = 2 * time.Second
	ShortSubscribers = 100
	ShortIdle        = 500
	ShortManySubs    = 1000
	ShortRooms       = 100
)

// scenario is one measurement.
type scenario struct {
	name string
	run  func(*runner, context.Context) error
}

// scenarios, in the order they run: the write path alone first, the idle sockets last, as they
// take a server process of their own.
var scenarios = []scenario{
	{"baseline", (*runner).baseline},
	{"mutations", (*runner).mutations},
	{"delivery", (*runner).delivery},
	{"feed", (*runner).feed},
	{"rooms", (*runner).rooms},
	{"many-subs", (*runner).manySubs},
	{"fanout", (*runner).fanout},
	{"idle", (*runner).idle},
}

// ScenarioNames lists the scenarios, in the order they run.
func ScenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

// runner carries a run's state to the scenarios.
type runner struct {
	cfg Config
	t   *target
	res *Result
	log *progress
}

// warmup is run, and not counted, before each scenario's measured window.
func (r *runner) warmup() time.Duration { return min(time.Second, r.cfg.Duration/5) }

// note records something a reader of the result should know.
func (r *runner) note(s string) {
	r.log.printf("%s", s)
	r.res.Notes = append(r.res.Notes, s)
}

// skipped is a scenario that cannot run against this target; it is a note, not a failure.
type skipped struct{ reason string }

func (s skipped) Error() string { return s.reason }

func skip(reason string) error { return skipped{reason} }

// Run runs the scenarios. The error is about the setup (nothing measured); a scenario that
// fails is listed in Result.Errors and the others still run.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.checked()
	if err != nil {
		return nil, err
	}
	log := &progress{w: cfg.Progress}
	if err := checkFileLimit(cfg); err != nil {
		return nil, err
	}
	res := &Result{Params: params(cfg)}
	r := &runner{cfg: cfg, res: res, log: log}
	var cleanup func()
	if cfg.URL != "" {
		res.Mode = "url"
		r.t, err = remoteTarget(cfg)
		cleanup = func() { r.dropRemoteRooms(ctx) }
	} else {
		res.Mode = "in-process"
		r.t, cleanup, err = startLocal(ctx, cfg, log)
	}
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res.PostgresVersion = "unknown"
	if r.t.dbURL != "" {
		if v, err := serverVersion(ctx, r.t.dbURL); err == nil {
			res.PostgresVersion = v
		}
	}
	for _, s := range scenarios {
		if slices.Contains(cfg.Scenarios, s.name) {
			r.runScenario(ctx, s)
		}
	}
	res.MutationsVsBaseline = ratio(res.MutationsPerS, res.BaselineInsertPerS)
	res.MutationsVsTriggeredBaseline = ratio(res.MutationsPerS, res.BaselineTriggeredInsertPerS)
	return res, nil
}

// ratio is a / b, nil where either is missing.
func ratio(a, b *float64) *float64 {
	if a == nil || b == nil || *b <= 0 {
		return nil
	}
	return num(*a / *b)
}

func (r *runner) runScenario(ctx context.Context, s scenario) {
	start := time.Now()
	r.log.printf("%s: starting", s.name)
	err := s.run(r, ctx)
	var sk skipped
	switch {
	case errors.As(err, &sk):
		r.note(fmt.Sprintf("%s: skipped: %s", s.name, sk.reason))
	case err != nil:
		r.res.Errors = append(r.res.Errors, fmt.Sprintf("%s: %v", s.name, err))
		r.log.printf("%s: FAILED: %v", s.name, err)
	default:
		r.log.printf("%s: done in %.1fs", s.name, time.Since(start).Seconds())
	}
}

// dropRemoteRooms deletes the rooms a run made on a server it did not start, when it can reach
// the database.
func (r *runner) dropRemoteRooms(ctx context.Context) {
	if r.t.dbURL == "" {
		r.note(fmt.Sprintf("rooms %s-* are left in the server's database", r.t.prefix))
		return
	}
	if err := dropRooms(ctx, r.t.dbURL, r.t.prefix); err != nil {
		r.log.printf("delete this run's rooms: %v", err)
	}
}

// checked fills in defaults and refuses what cannot run.
func (c Config) checked() (Config, error) {
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Subscribers == 0 {
		c.Subscribers = DefaultSubscribers
	}
	if c.Idle == 0 {
		c.Idle = DefaultIdle
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.ManySubs == 0 {
		c.ManySubs = DefaultManySubs
	}
	if c.Rooms == 0 {
		c.Rooms = DefaultRooms
	}
	if len(c.Scenarios) == 0 {
		c.Scenarios = ScenarioNames()
	}
	var errs []error
	for _, s := range c.Scenarios {
		if !slices.Contains(ScenarioNames(), s) {
			errs = append(errs, fmt.Errorf("unknown scenario %q: want some of %s", s, strings.Join(ScenarioNames(), ",")))
		}
	}
	if c.Concurrency < 0 || c.Subscribers < 0 || c.Idle < 0 || c.Rate < 0 || c.Duration < 0 || c.ManySubs < 0 || c.Rooms < 0 {
		errs = append(errs, errors.New("concurrency, subscribers, idle, rate, many-subs, rooms and duration must be positive"))
	}
	if c.URL == "" && c.URL2 != "" {
		errs = append(errs, errors.New("--url2 needs --url"))
	}
	return c, errors.Join(errs...)
}

func params(cfg Config) Params {
	warmup := min(time.Second, cfg.Duration/5)
	var serverEnv []string
	if cfg.URL == "" {
		for k, v := range cfg.ServerEnv {
			serverEnv = append(serverEnv, k+"="+v)
		}
		slices.Sort(serverEnv)
	}
	return Params{
		ServerEnv:   serverEnv,
		Scenarios:   cfg.Scenarios,
		Concurrency: cfg.Concurrency,
		DurationS:   cfg.Duration.Seconds(),
		WarmupS:     warmup.Seconds(),
		Subscribers: cfg.Subscribers,
		Idle:        cfg.Idle,
		Rate:        cfg.Rate,
		ManySubs:    cfg.ManySubs,
		Rooms:       cfg.Rooms,
		GoVersion:   runtime.Version(),
		CPUs:        runtime.NumCPU(),
		LoadAvg1m:   loadAverage(),
		StartedAt:   time.Now().UTC().Truncate(time.Second),
	}
}

// loadAverage is the machine's one-minute load average, -1 where /proc/loadavg is missing: a
// figure measured on a busy machine should say so.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	first, _, _ := strings.Cut(string(b), " ")
	v, err := strconv.ParseFloat(first, 64)
	if err != nil {
		return -1
	}
	return v
}
