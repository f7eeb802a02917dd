// Package realtime delivers changes to WebSocket clients. Its Listener is the one place a replica
// learns of changes: a dedicated Postgres connection LISTENing on the change channel.
package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/recordroom/recordroom/internal/backoff"
)

// ListenerConfig configures a Listener.
type ListenerConfig struct {
	// ConnConfig is the session connection to LISTEN on. It must be a real session: a
	// transaction-mode pooler would lose the LISTEN.
	ConnConfig *pgx.ConnConfig
	// OnConnect runs after every (re)connect, once LISTEN is in place: notifications are lost
	// while the connection is down, so this is where a replica catches up on what it missed.
	// An error drops the connection and retries.
	OnConnect func(ctx context.Context) error
	// OnChange receives every notification, in order, on the listener's goroutine.
	OnChange func(Change)
	Logger   *slog.Logger
	// Registerer receives the listener's metrics; nil registers none.
	Registerer prometheus.Registerer
	// MinBackoff and MaxBackoff bound reconnect delays (defaults 100ms, 10s).
	MinBackoff, MaxBackoff time.Duration
	// HealthInterval is how long the connection may be silent before it is pinged (default 30s):
	// a dead peer behind a vanished network never closes the socket by itself.
	HealthInterval time.Duration
}

// Listener keeps one connection LISTENing on Channel, reconnecting with backoff and jitter.
type Listener struct {
	cfg       ListenerConfig
	connected atomic.Bool
	metrics   listenerMetrics
	sessions  int // connections that reached LISTEN; only Run's goroutine touches it
}

type listenerMetrics struct {
	connected     prometheus.Gauge
	reconnects    prometheus.Counter
	notifications *prometheus.CounterVec
	invalid       prometheus.Counter
	lag           prometheus.Histogram
}

// NewListener creates a Listener; Run starts it.
func NewListener(cfg ListenerConfig) *Listener {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 10 * time.Second
	}
	if cfg.HealthInterval == 0 {
		cfg.HealthInterval = 30 * time.Second
	}
	if cfg.OnChange == nil {
		cfg.OnChange = func(Change) {}
	}
	l := &Listener{cfg: cfg, metrics: listenerMetrics{
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "recordroom_listener_connected",
			Help: "1 while the change listener's connection is LISTENing, else 0.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recordroom_listener_reconnects_total",
			Help: "Times the change listener lost its connection and connected again.",
		}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recordroom_notifications_total",
			Help: "Change notifications received, by table.",
		}, []string{"table"}),
		invalid: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recordroom_notifications_invalid_total",
			Help: "Change notifications whose payload could not be parsed.",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "recordroom_notify_lag_seconds",
			Help:    "Time from a changing statement to its notification reaching this replica.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
	}}
	if cfg.Registerer != nil {
		m := l.metrics
		cfg.Registerer.MustRegister(m.connected, m.reconnects, m.notifications, m.invalid, m.lag)
	}
	return l
}

// Connected reports whether the listener is LISTENing now; readiness depends on it.
func (l *Listener) Connected() bool { return l.connected.Load() }

// Run listens until ctx ends, reconnecting whenever the connection fails.
func (l *Listener) Run(ctx context.Context) {
	b := backoff.Backoff{Min: l.cfg.MinBackoff, Max: l.cfg.MaxBackoff}
	for {
		err := l.session(ctx, &b)
		if ctx.Err() != nil {
			return
		}
		delay := b.Next()
		l.cfg.Logger.Warn("change listener disconnected", "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// session runs one connection from connect to failure.
func (l *Listener) session(ctx context.Context, b *backoff.Backoff) error {
	conn, err := l.connect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		l.setConnected(false)
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if l.cfg.OnConnect != nil {
		if err := l.cfg.OnConnect(ctx); err != nil {
			return fmt.Errorf("catch up after connect: %w", err)
		}
	}
	l.setConnected(true)
	b.Reset()
	if l.sessions++; l.sessions > 1 {
		l.metrics.reconnects.Inc()
	}
	l.cfg.Logger.Info("change listener connected", "channel", Channel)
	for {
		if err := l.wait(ctx, conn); err != nil {
			return err
		}
	}
}

func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, l.cfg.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
		return nil, fmt.Errorf("listen: %w", err)
	}
	return conn, nil
}

// wait handles the next notification, or pings the connection after HealthInterval of silence.
func (l *Listener) wait(ctx context.Context, conn *pgx.Conn) error {
	waitCtx, cancel := context.WithTimeout(ctx, l.cfg.HealthInterval)
	n, err := conn.WaitForNotification(waitCtx)
	cancel()
	switch {
	case err == nil:
		l.handle(n.Payload)
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := conn.Ping(pingCtx); err != nil {
			return fmt.Errorf("ping: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("wait for notification: %w", err)
	}
}

func (l *Listener) handle(payload string) {
	change, err := ParseChange(payload)
	if err != nil {
		l.metrics.invalid.Inc()
		l.cfg.Logger.Error("ignoring change notification", "err", err)
		return
	}
	l.metrics.notifications.WithLabelValues(change.Table).Inc()
	l.metrics.lag.Observe(max(0, time.Since(change.Time()).Seconds()))
	l.cfg.OnChange(change)
}

func (l *Listener) setConnected(v bool) {
	l.connected.Store(v)
	if v {
		l.metrics.connected.Set(1)
	} else {
		l.metrics.connected.Set(0)
	}
}
