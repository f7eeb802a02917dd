package realtime_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/realtime"
)

// TestMain fails the package when any test leaves a goroutine behind: a Listener whose Run
// returned must have stopped everything it started.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitFor bounds every wait on a signal; generous, because the race detector and a parallel
// suite slow everything down, and a passing test never waits this long.
const waitFor = 15 * time.Second

// prompt bounds how long Run may take to return once its context ends.
const prompt = 3 * time.Second

// listenerAppName marks the listener's connection in pg_stat_activity. Every test has a database
// of its own, so the name only has to be unique within one.
const listenerAppName = "recordroom_listener_test"

// listenerHarness runs one Listener on a database of its own and turns its callbacks into
// channels.
type listenerHarness struct {
	l        *realtime.Listener
	pool     *pgxpool.Pool
	reg      *prometheus.Registry
	changes  chan realtime.Change
	connects chan struct{}
	logs     chan string
	cancel   context.CancelFunc
	done     chan struct{} // closed when Run returns

	mu    sync.Mutex
	conns []*trackedConn // every connection the listener dialed
}

// trackedConn records whether the listener closed its connection. The test holding it also keeps
// the socket's finalizer from closing it behind the listener's back.
type trackedConn struct {
	net.Conn
	closed atomic.Bool
}

func (c *trackedConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

// dialed counts the connections the listener made, and those of them still open.
func (h *listenerHarness) dialed() (all, open int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		if !c.closed.Load() {
			open++
		}
	}
	return len(h.conns), open
}

// startListener starts a Listener on a fresh database; configure may adjust its config before it
// starts. The listener is stopped (and must stop) when t ends, before the database is dropped.
// listenerRoom is the room of every change these tests make.
const listenerRoom = "room-1"

func startListener(t *testing.T, configure func(*realtime.ListenerConfig)) *listenerHarness {
	t.Helper()
	pool := testdb.New(t).Pool(t)
	_, err := pool.Exec(context.Background(), "INSERT INTO rooms (room_id) VALUES ($1)", listenerRoom)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	h := &listenerHarness{
		pool:     pool,
		reg:      prometheus.NewRegistry(),
		changes:  make(chan realtime.Change, 16),
		connects: make(chan struct{}, 16),
		logs:     make(chan string, 64),
		cancel:   cancel,
		done:     make(chan struct{}),
	}
	connCfg := pool.Config().ConnConfig.Copy()
	connCfg.RuntimeParams["application_name"] = listenerAppName
	dialer := &net.Dialer{KeepAlive: 5 * time.Minute} // pgconn's default
	connCfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c}
		h.mu.Lock()
		h.conns = append(h.conns, tc)
		h.mu.Unlock()
		return tc, nil
	}
	cfg := realtime.ListenerConfig{
		ConnConfig: connCfg,
		// Sends give up when the listener stops, so a test that stops reading cannot wedge Run.
		OnChange: func(c realtime.Change) { send(ctx, h.changes, c) },
		OnConnect: func(ctx context.Context) error {
			send(ctx, h.connects, struct{}{})
			return nil
		},
		Logger:     slog.New(logSignal{h.logs}),
		Registerer: h.reg,
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond,
	}
	if configure != nil {
		configure(&cfg)
	}
	h.l = realtime.NewListener(cfg)
	go func() {
		defer close(h.done)
		h.l.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(waitFor):
			t.Errorf("Run did not return within %s of its context ending", waitFor)
		}
	})
	return h
}

func send[T any](ctx context.Context, ch chan<- T, v T) {
	select {
	case ch <- v:
	case <-ctx.Done():
	}
}

// receive returns the next value on ch, failing t when none arrives in time.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		require.FailNow(t, "timed out waiting for "+what)
		panic("unreachable")
	}
}

// awaitConnect waits for the next OnConnect and for Connected to follow it (Connected is set
// only once OnConnect has returned, so it is polled).
func (h *listenerHarness) awaitConnect(t *testing.T) {
	t.Helper()
	receive(t, h.connects, "OnConnect")
	require.Eventually(t, h.l.Connected, waitFor, time.Millisecond, "Connected after OnConnect succeeded")
}

// awaitReturn waits (briefly) for Run to return.
func (h *listenerHarness) awaitReturn(t *testing.T) {
	t.Helper()
	select {
	case <-h.done:
	case <-time.After(prompt):
		require.FailNow(t, "Run did not return promptly once its context ended")
	}
}

// awaitLog waits until the listener logs msg.
func (h *listenerHarness) awaitLog(t *testing.T, msg string) {
	t.Helper()
	for {
		if receive(t, h.logs, "log "+msg) == msg {
			return
		}
	}
}

func (h *listenerHarness) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := h.pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// insertRecord creates a record in room (listenerRoom: made before the listener started, so
// that its own notification is none of the changes the tests receive), as the triggers see any
// writer.
func (h *listenerHarness) insertRecord(t *testing.T, room, id string) {
	t.Helper()
	h.exec(t, "INSERT INTO records (room_id, collection, id, user_id, data) VALUES ($1, 'tasks', $2, 'alice', '{}')", room, id)
}

// requireRecordInsert receives the next change and checks that it announces exactly the insert
// insertRecord made.
func (h *listenerHarness) requireRecordInsert(t *testing.T, room, id string) {
	t.Helper()
	c := receive(t, h.changes, "the change of record "+id)
	require.Equal(t, "records", c.Table)
	require.Equal(t, "insert", c.Op)
	require.Equal(t, []realtime.ChangeRow{{Room: room, Collection: "tasks", ID: id, Version: 1, Creator: "alice"}}, c.Rows)
	require.WithinDuration(t, time.Now(), c.Time(), time.Minute)
}

// backend is the listener's server process, as pg_stat_activity shows it.
type backend struct {
	PID   int32
	Query string // the last statement it ran
}

func (h *listenerHarness) backends(t *testing.T) []backend {
	t.Helper()
	rows, err := h.pool.Query(context.Background(),
		`SELECT pid, query FROM pg_stat_activity
		 WHERE application_name = $1 AND datname = current_database() ORDER BY pid`, listenerAppName)
	require.NoError(t, err)
	bs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[backend])
	require.NoError(t, err)
	return bs
}

// metric reads one sample from the registry: a counter's or gauge's value, or a histogram's
// sample count; 0 when the sample has not been created (a vector's label never used).
func (h *listenerHarness) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	families, err := h.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	samples:
		for _, m := range f.GetMetric() {
			for i, l := range m.GetLabel() {
				if 2*i+1 >= len(labels) || l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
					continue samples
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

// logSignal is a slog handler that reports each message on a channel (dropping it when the test
// does not keep up), so tests can wait for the listener to reach a state it only logs.
type logSignal struct{ msgs chan<- string }

var _ slog.Handler = logSignal{}

func (s logSignal) Enabled(context.Context, slog.Level) bool { return true }
func (s logSignal) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s logSignal) WithGroup(string) slog.Handler            { return s }
func (s logSignal) Handle(_ context.Context, r slog.Record) error {
	select {
	case s.msgs <- r.Message:
	default:
	}
	return nil
}

// A connected listener hands every committed change to OnChange, in order, with its keys, and
// counts it.
func TestListenerDeliversChanges(t *testing.T) {
	t.Parallel()
	h := startListener(t, nil)
	h.awaitConnect(t)

	h.insertRecord(t, listenerRoom, "task-1")
	h.requireRecordInsert(t, listenerRoom, "task-1")

	h.exec(t, `UPDATE records SET version = version + 1 WHERE id = 'task-1'`)
	c := receive(t, h.changes, "the update")
	require.Equal(t, "update", c.Op)
	require.Equal(t, []realtime.ChangeRow{{Room: listenerRoom, Collection: "tasks", ID: "task-1", Version: 2, Creator: "alice"}}, c.Rows)

	require.Equal(t, 2.0, h.metric(t, "recordroom_notifications_total", "table", "records"))
	require.Equal(t, 2.0, h.metric(t, "recordroom_notify_lag_seconds"), "one lag sample per change")
	require.Equal(t, 1.0, h.metric(t, "recordroom_listener_connected"))
	require.Zero(t, h.metric(t, "recordroom_listener_reconnects_total"))
}

// When the server ends the listener's connection, the listener connects again, calls OnConnect
// again (to catch up on what it missed), receives changes again and counts one reconnect.
func TestListenerReconnectsAfterConnectionLoss(t *testing.T) {
	t.Parallel()
	h := startListener(t, nil)
	h.awaitConnect(t)
	require.Len(t, h.backends(t), 1)

	rows, err := h.pool.Query(context.Background(),
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		 WHERE application_name = $1 AND datname = current_database()`, listenerAppName)
	require.NoError(t, err)
	terminated, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	require.NoError(t, err)
	require.Equal(t, []bool{true}, terminated)

	h.awaitConnect(t)
	all, _ := h.dialed()
	require.Equal(t, 2, all, "a new connection")
	// pgx closes a connection the server ended from a goroutine of its own.
	require.Eventually(t, func() bool { _, open := h.dialed(); return open == 1 }, waitFor, time.Millisecond,
		"the lost connection is closed")

	h.insertRecord(t, listenerRoom, "after-reconnect")
	h.requireRecordInsert(t, listenerRoom, "after-reconnect")
	require.Equal(t, 1.0, h.metric(t, "recordroom_listener_reconnects_total"))
	require.Equal(t, 1.0, h.metric(t, "recordroom_listener_connected"))
	require.Empty(t, h.connects, "OnConnect ran once per connection")
}

// Run returns promptly when its context ends, whether it is connected or waiting to retry, and
// closes its connection; TestMain checks that no goroutine is left.
func TestListenerRunReturnsWhenCancelled(t *testing.T) {
	t.Parallel()

	t.Run("connected", func(t *testing.T) {
		t.Parallel()
		h := startListener(t, nil)
		h.awaitConnect(t)
		require.Len(t, h.backends(t), 1)

		h.cancel()
		h.awaitReturn(t)
		require.False(t, h.l.Connected())
		require.Zero(t, h.metric(t, "recordroom_listener_connected"))
		all, open := h.dialed()
		require.Equal(t, 1, all)
		require.Zero(t, open, "Run closed its connection before returning")
	})

	t.Run("waiting to retry", func(t *testing.T) {
		t.Parallel()
		h := startListener(t, func(cfg *realtime.ListenerConfig) {
			// A Unix socket directory with no server in it: every connect fails at once.
			cfg.ConnConfig.Host = filepath.Join(t.TempDir(), "no-server")
			cfg.ConnConfig.TLSConfig = nil
			cfg.ConnConfig.Fallbacks = nil
			// Retries are jittered below an hour: nearly every run cancels in the middle of one.
			cfg.MinBackoff, cfg.MaxBackoff = time.Hour, time.Hour
		})
		h.awaitLog(t, "change listener disconnected")

		h.cancel()
		h.awaitReturn(t)
		require.False(t, h.l.Connected())
		require.Empty(t, h.connects, "never connected")
	})
}

// A payload that is not a change is counted and skipped; the changes after it still arrive.
func TestListenerSkipsInvalidPayloads(t *testing.T) {
	t.Parallel()
	h := startListener(t, nil)
	h.awaitConnect(t)

	h.exec(t, "SELECT pg_notify($1, 'not json')", realtime.Channel)
	h.exec(t, `SELECT pg_notify($1, '{"rows":[]}')`, realtime.Channel) // JSON, but no table or op
	h.insertRecord(t, listenerRoom, "task-1")

	// One connection's notifications arrive in commit order: the invalid ones were handled first.
	h.requireRecordInsert(t, listenerRoom, "task-1")
	require.Equal(t, 2.0, h.metric(t, "recordroom_notifications_invalid_total"))
	require.Equal(t, 1.0, h.metric(t, "recordroom_notifications_total", "table", "records"))
	require.True(t, h.l.Connected())
	require.Zero(t, h.metric(t, "recordroom_listener_reconnects_total"))
}

// When OnConnect fails the listener drops that connection and retries on a new one; it reports
// Connected only once OnConnect has succeeded. OnConnect runs once LISTEN is in place, so a change
// committed while it catches up is not lost.
func TestListenerRetriesUntilOnConnectSucceeds(t *testing.T) {
	t.Parallel()
	// Each OnConnect hands the test a channel on which the test says how it ends.
	attempts := make(chan chan error)
	h := startListener(t, func(cfg *realtime.ListenerConfig) {
		onConnect := cfg.OnConnect
		cfg.OnConnect = func(ctx context.Context) error {
			answer := make(chan error)
			select {
			case attempts <- answer:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case err := <-answer:
				if err != nil {
					return err
				}
				return onConnect(ctx)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})

	for attempt := 1; attempt <= 3; attempt++ {
		answer := receive(t, attempts, "OnConnect")
		require.False(t, h.l.Connected(), "attempt %d: not Connected while OnConnect runs", attempt)
		all, open := h.dialed()
		require.Equal(t, attempt, all, "attempt %d: a new connection each time", attempt)
		require.Equal(t, 1, open, "attempt %d: the failed attempts' connections are closed", attempt)
		if attempt < 3 {
			answer <- errors.New("catch-up failed")
			continue
		}
		h.insertRecord(t, listenerRoom, "during-catch-up")
		answer <- nil
	}
	h.awaitConnect(t)
	h.requireRecordInsert(t, listenerRoom, "during-catch-up")
	require.Zero(t, h.metric(t, "recordroom_listener_reconnects_total"), "a connection that never got ready is no reconnect")
}

// A silent connection is pinged every HealthInterval, and pinging neither drops it nor loses the
// notifications that arrive between pings.
func TestListenerPingsASilentConnection(t *testing.T) {
	t.Parallel()
	h := startListener(t, func(cfg *realtime.ListenerConfig) { cfg.HealthInterval = 20 * time.Millisecond })
	h.awaitConnect(t)

	require.Eventually(t, func() bool {
		bs := h.backends(t)
		return len(bs) == 1 && bs[0].Query == "-- ping"
	}, waitFor, 5*time.Millisecond, "the listener pings")

	for _, id := range []string{"task-1", "task-2", "task-3"} {
		h.insertRecord(t, listenerRoom, id)
		h.requireRecordInsert(t, listenerRoom, id)
	}
	require.True(t, h.l.Connected())
	require.Zero(t, h.metric(t, "recordroom_listener_reconnects_total"))
}
