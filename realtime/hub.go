package realtime

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recordroom/recordroom/live"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/yjs"
)

// HubConfig configures a Hub.
type HubConfig struct {
	Records *records.Service
	Members *members.Service
	Docs    *yjs.Docs
	Logger  *slog.Logger
	// Registerer receives the hub's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Replica names this server in hello messages.
	Replica string
	// Limits (defaults: 256 queued messages or 32 MiB queued, 100 subscriptions, 1 MiB frames).
	SendQueue        int
	MaxQueueBytes    int64
	MaxSubscriptions int
	MaxFrameBytes    int64
	// PingInterval is how often idle sockets are pinged (default 30s); a peer silent for twice
	// that is dropped. WriteTimeout bounds one write (default 10s).
	PingInterval time.Duration
	WriteTimeout time.Duration
	// LiveMargin bounds the rows a limit window keeps past its limit, so that rows leaving it
	// are replaced without SQL (default 100; the margin is min(limit, LiveMargin)).
	LiveMargin int
	// FanoutShards is the size of the delivery pool (default 2 × GOMAXPROCS): each room's
	// changes are delivered by one shard, in commit order, so a slow room delays only the rooms
	// that share its shard.
	FanoutShards int
	// MaxSocketsPerUser and MaxSocketsPerIP bound the sockets open on this replica per user
	// and per client address (0: no limit; RECORDROOM_MAX_SOCKETS_PER_USER, …_PER_IP).
	MaxSocketsPerUser, MaxSocketsPerIP int
	// NotifyKey signs the awareness updates this replica relays through the change channel and
	// checks those of other replicas: anyone who can log in may NOTIFY, and awareness is the one
	// payload that carries data to clients (docs/notify.md). Replicas of one deployment read the
	// same key from the database; without one, other replicas' awareness is not relayed.
	NotifyKey []byte
	// MaxInFlight is how many mutations one socket may have running at once (default 64), so
	// that a burst lands in one group commit; the socket is not read while that many run.
	MaxInFlight int
}

// Hub holds this replica's WebSocket sessions and delivers every change to their subscriptions.
type Hub struct {
	cfg     HubConfig
	metrics hubMetrics

	mu       sync.Mutex
	rooms    map[string]map[*session]struct{}
	closed   bool
	sessions sync.WaitGroup

	relay   docRelay     // which sessions opened which Yjs document here; cfg.Docs stores them
	fanout  fanout       // the delivery pool: QueueChange queues, its shards deliver
	sockets socketLimits // open sockets per user and per address (limits.go)
	// live holds the record subscriptions' shared queries and matches every change against
	// them (package live); it has its own locks, per room.
	live *live.Engine[*subscription]

	hooks testHooks
}

// testHooks let tests of this package hold delivery at chosen points; nil in production.
type testHooks struct {
	// fetch runs before the changed records of a room are fetched.
	fetch func(room string)
	// member runs before a member lane delivers a change (rows of one shard's rooms).
	member func(c Change)
	// mutation runs on a mutation's goroutine, before it is written.
	mutation func(m protocol.ClientMessage)
}

type hubMetrics struct {
	connections   prometheus.Gauge
	subscriptions prometheus.Gauge
	mutations     *prometheus.CounterVec
	errors        *prometheus.CounterVec
	messages      prometheus.Counter
	slowClosed    prometheus.Counter
	docUpdates    *prometheus.CounterVec
	// fanoutOverflows counts shards whose queue overflowed (a resync of their rooms followed).
	fanoutOverflows prometheus.Counter
	limits          *prometheus.CounterVec
	forged          prometheus.Counter
}

// limitHit counts a refusal by the named limit and returns its error (code limit).
func (h *Hub) limitHit(limit, format string, args ...any) error {
	h.metrics.limits.WithLabelValues(limit).Inc()
	return protocol.New(protocol.Limit, format, args...)
}

// NewHub makes a hub; the listener feeds it with QueueChange and Resync.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SendQueue == 0 {
		cfg.SendQueue = 256
	}
	if cfg.MaxQueueBytes == 0 {
		cfg.MaxQueueBytes = 32 << 20
	}
	if cfg.MaxSubscriptions == 0 {
		cfg.MaxSubscriptions = 100
	}
	if cfg.MaxFrameBytes == 0 {
		cfg.MaxFrameBytes = 1 << 20
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 30 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.FanoutShards <= 0 {
		cfg.FanoutShards = 2 * runtime.GOMAXPROCS(0)
	}
	h := &Hub{cfg: cfg, rooms: map[string]map[*session]struct{}{}, relay: newDocRelay(),
		live: live.New[*subscription](liveSink{}, live.Options{MaxMargin: cfg.LiveMargin}), metrics: hubMetrics{
			connections: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "recordroom_ws_connections", Help: "Open WebSocket connections.",
			}),
			subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "recordroom_ws_subscriptions", Help: "Active subscriptions on this replica.",
			}),
			mutations: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "recordroom_ws_mutations_total", Help: "Mutations received over WebSocket, by type and outcome.",
			}, []string{"type", "outcome"}),
			errors: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "recordroom_ws_errors_total", Help: "Error messages sent over WebSocket, by code.",
			}, []string{"code"}),
			messages: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "recordroom_ws_messages_sent_total", Help: "Messages queued to WebSocket clients.",
			}),
			slowClosed: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "recordroom_ws_slow_closed_total", Help: "Connections closed because their client fell behind (4008).",
			}),
			docUpdates: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "recordroom_yjs_updates_total", Help: "Yjs updates received over WebSocket, by outcome (stored, refused).",
			}, []string{"outcome"}),
			fanoutOverflows: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "recordroom_fanout_overflows_total", Help: "Fan-out shards whose queue overflowed; each re-evaluated every subscription of its rooms.",
			}),
			forged: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "recordroom_notifications_forged_total", Help: "Awareness notifications dropped because their signature did not check out (not sent by a replica).",
			}),
			limits: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "recordroom_limits_hit_total", Help: "Requests refused by a limit, by limit (docs/operations.md).",
			}, []string{"limit"}),
		}}
	h.fanout = newFanout(h, cfg.FanoutShards)
	h.sockets = socketLimits{perUser: cfg.MaxSocketsPerUser, perIP: cfg.MaxSocketsPerIP, hit: h.limitHit}
	if cfg.Registerer != nil {
		m := h.metrics
		cfg.Registerer.MustRegister(m.connections, m.subscriptions, m.mutations, m.errors, m.messages, m.slowClosed, m.docUpdates, m.fanoutOverflows, m.limits, m.forged)
		cfg.Registerer.MustRegister(liveGauge("recordroom_fanout_queued", "Change notifications waiting in the fan-out pool's queues, all shards and lanes.",
			func() float64 { return float64(h.fanout.queued()) }))
		cfg.Registerer.MustRegister(liveGauge("recordroom_live_queries", "Shared live queries held (subscriptions with equal queries share one).",
			func() float64 { return float64(h.live.Stats().Queries) }))
		cfg.Registerer.MustRegister(liveGauge("recordroom_live_entries", "Rows held in live query windows (at most limit + margin per shared query).",
			func() float64 { return float64(h.live.Stats().Entries) }))
	}
	return h
}

func liveGauge(name, help string, read func() float64) prometheus.GaugeFunc {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read)
}

// add registers a session; false once the hub is shutting down.
func (h *Hub) add(s *session) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	room := h.rooms[s.room]
	if room == nil {
		room = map[*session]struct{}{}
		h.rooms[s.room] = room
	}
	room[s] = struct{}{}
	h.sessions.Add(1)
	h.metrics.connections.Inc()
	return true
}

func (h *Hub) remove(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := h.rooms[s.room]; room != nil {
		if _, ok := room[s]; !ok {
			return
		}
		delete(room, s)
		if len(room) == 0 {
			delete(h.rooms, s.room)
		}
		h.sockets.release(s.held)
		h.sessions.Done()
		h.metrics.connections.Dec()
	}
}

// inRoom lists the sessions of a room now.
func (h *Hub) inRoom(room string) []*session {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*session, 0, len(h.rooms[room]))
	for s := range h.rooms[room] {
		out = append(out, s)
	}
	return out
}

func (h *Hub) all() []*session {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*session
	for _, room := range h.rooms {
		for s := range room {
			out = append(out, s)
		}
	}
	return out
}

// Shutdown closes every socket with 1012 (service restart: clients reconnect elsewhere) and
// waits, until ctx ends, for the sessions to finish.
func (h *Hub) Shutdown(ctx context.Context) {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	for _, s := range h.all() {
		s.close(protocol.CloseRestarting, "server restarting")
	}
	done := make(chan struct{})
	go func() { h.sessions.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	h.fanout.wait(ctx)
}
