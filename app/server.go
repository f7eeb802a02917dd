// Package app is the composition root of a RecordRoom replica: its configuration, building the
// parts (database, migrations, change listener, services, HTTP) and serving them, and their
// orderly shutdown.
package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/recordroom/recordroom/api"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/realtime"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/yjs"
)

// ShutdownTimeout bounds a graceful stop: in-flight requests get this long to finish.
const ShutdownTimeout = 8 * time.Second

// Options are what Build and Run need besides the configuration.
type Options struct {
	// Logger receives the replica's logs; nil is slog.Default().
	Logger *slog.Logger
	// Listener, when set, is used instead of listening on the configured address (tests).
	Listener net.Listener
	// OnReady, when set, is called with the address served once the server accepts requests.
	OnReady func(addr string)
}

// Replica is one built RecordRoom replica: listening, connected to a migrated database, its
// services and HTTP handler ready, nothing served yet. Serve it once, then Close it.
type Replica struct {
	cfg     Config
	id      string
	logger  *slog.Logger
	onReady func(addr string)

	ln       net.Listener
	database *db.DB
	files    *fileStore
	hub      *realtime.Hub
	listener *realtime.Listener
	srv      *http.Server
	// closers undo what was built, in build order; Close runs them backwards, so a Build that
	// fails half-way closes exactly what it had opened.
	closers []func()
}

// Run builds a replica and serves it until ctx ends, then shuts down gracefully. Start-up
// problems (port taken, database unreachable, migration failed) are returned as errors that say
// what to fix.
func Run(ctx context.Context, cfg Config, opts Options) error {
	r, err := Build(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Serve(ctx)
}

// Build connects and assembles every part of a replica: the listening socket, the database
// (waited for and migrated), the file store, token verification, the services, the realtime hub
// and change listener, and the HTTP handler. Nothing is served, and no background work runs,
// until Serve. On error everything opened so far is closed again.
func Build(ctx context.Context, cfg Config, opts Options) (*Replica, error) {
	id := replicaID()
	r := &Replica{cfg: cfg, id: id, logger: cmp.Or(opts.Logger, slog.Default()).With("replica", id), onReady: opts.OnReady}
	if err := r.build(ctx, opts.Listener); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Replica) build(ctx context.Context, ln net.Listener) error {
	if r.cfg.Dev {
		announceDev(r.logger)
	}
	if err := r.listen(ln); err != nil {
		return err
	}
	if err := r.openDatabase(ctx); err != nil {
		return err
	}
	fs, err := openFiles(ctx, r.cfg, r.database, r.ln.Addr(), r.logger)
	if err != nil {
		return err
	}
	r.files = fs
	r.closers = append(r.closers, fs.Close)
	verifier, err := r.verifier(ctx)
	if err != nil {
		return err
	}
	notifyKey, err := r.database.NotifyKey(ctx)
	if err != nil {
		return fmt.Errorf("%w (is the database migrated? migration 00008 makes the key)", err)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r.buildServices(registry, verifier, notifyKey)
}

// listen takes ln, or listens on the configured address.
func (r *Replica) listen(ln net.Listener) error {
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", r.cfg.Addr); err != nil {
			return fmt.Errorf("cannot listen on %s: %w (another process may use it: set RECORDROOM_ADDR)", r.cfg.Addr, err)
		}
	}
	r.ln = ln
	r.closers = append(r.closers, func() { _ = ln.Close() })
	return nil
}

// openDatabase opens the pool, waits for Postgres to answer and migrates it when configured.
func (r *Replica) openDatabase(ctx context.Context) error {
	cfg := r.cfg
	database, err := db.Open(ctx, cfg.DatabaseURL, db.Options{
		ApplicationName: "recordroom " + r.id, MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout,
		SessionURL: cfg.ListenDatabaseURL,
	})
	if err != nil {
		return fmt.Errorf("%w (check DATABASE_URL)", err)
	}
	r.database = database
	r.closers = append(r.closers, database.Close)
	if err := database.Wait(ctx, cfg.DBWait); err != nil {
		return fmt.Errorf("%w (check DATABASE_URL and that Postgres is running)", err)
	}
	if cfg.Migrate {
		return migrate(ctx, r.sessionURL(), r.logger)
	}
	return nil
}

// sessionURL is where LISTEN and the migrator's session lock go: they need a real session,
// never a transaction pooler.
func (r *Replica) sessionURL() string {
	return cmp.Or(r.cfg.ListenDatabaseURL, r.cfg.DatabaseURL)
}

// verifier checks client tokens with the configured secret and/or JWKS; in development mode
// with neither, with the development secret under the data folder.
func (r *Replica) verifier(ctx context.Context) (*auth.Verifier, error) {
	cfg := r.cfg
	secret := cfg.JWTSecret
	if cfg.Dev && secret == "" && cfg.JWKSURL == "" {
		var err error
		if secret, err = devSecret(cfg.DataDir, r.logger); err != nil {
			return nil, err
		}
	}
	return auth.NewVerifier(ctx, auth.VerifierConfig{
		Secret: []byte(secret), JWKSURL: cfg.JWKSURL, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience,
		Logger: r.logger,
	})
}

// buildServices makes the services, the realtime hub and change listener, and the HTTP server
// that routes to them.
func (r *Replica) buildServices(registry *prometheus.Registry, verifier *auth.Verifier, notifyKey []byte) error {
	cfg, logger := r.cfg, r.logger
	listenConn, err := db.ParseConfig(r.sessionURL())
	if err != nil {
		return fmt.Errorf("%w (check RECORDROOM_LISTEN_DATABASE_URL)", err)
	}
	listenConn.ConnConfig.RuntimeParams["application_name"] = "recordroom " + r.id + " listener"
	recordService, err := records.New(r.database, cfg.Schema, records.Limits{MaxCost: cfg.QueryMaxCost, Timeout: cfg.QueryTimeout, MutationRate: cfg.MutationRate, MutationBurst: cfg.MutationBurst})
	if err != nil {
		return err
	}
	memberService := members.New(r.database)
	docs := yjs.NewDocs(r.database, yjs.DocsConfig{MaxDocBytes: cfg.MaxDocBytes, MaxCompactions: cfg.MaxCompactions, Logger: logger})
	r.closers = append(r.closers, docs.Close)
	r.hub = realtime.NewHub(realtime.HubConfig{
		Records: recordService, Members: memberService, Docs: docs, Logger: logger, Registerer: registry, Replica: r.id,
		FanoutShards: cfg.FanoutShards, NotifyKey: notifyKey,
		MaxSocketsPerUser: cfg.MaxSocketsPerUser, MaxSocketsPerIP: cfg.MaxSocketsPerIP,
	})
	r.listener = realtime.NewListener(realtime.ListenerConfig{
		ConnConfig: listenConn.ConnConfig,
		Logger:     logger,
		Registerer: registry,
		OnChange: func(c realtime.Change) {
			if c.Table == "rooms" {
				for _, row := range c.Rows {
					recordService.RoomChanged(row.Room) // before the hub re-prepares with it
				}
			}
			r.hub.QueueChange(c)
		},
		OnConnect: func(ctx context.Context) error {
			recordService.RoomChanged("") // rooms changes may have been missed while down
			return r.hub.Resync(ctx)
		},
	})
	recordService.RememberSchemas(r.listener.Connected)
	handler := api.New(api.Config{
		Logger:            logger,
		Registry:          registry,
		Verifier:          verifier,
		Members:           memberService,
		Records:           recordService,
		Files:             r.files.files,
		Docs:              docs,
		FileStore:         r.files.publicHandler(),
		Hub:               r.hub,
		Ready:             r.readyChecks(),
		AllowOrigin:       originRule(r.cfg.CORSOrigins, r.cfg.Dev),
		AllowSocketOrigin: socketOriginRule(r.cfg.CORSOrigins, r.cfg.Dev),
		TrustedProxies:    r.cfg.TrustedProxies,
	})
	r.srv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// readyChecks are what /readyz answers for: the database answers and the listener is connected.
func (r *Replica) readyChecks() []api.Check {
	return []api.Check{
		{Name: "database", Check: r.database.Ping},
		{Name: "listener", Check: func(context.Context) error {
			if !r.listener.Connected() {
				return errors.New("not connected")
			}
			return nil
		}},
	}
}

// Serve runs the change listener and the file sweep, serves HTTP and WebSocket until ctx ends,
// then shuts down gracefully: WebSockets are told to reconnect elsewhere, in-flight requests get
// ShutdownTimeout to finish, background work stops. It returns nil after a shutdown ctx asked
// for, and an error when serving failed. Call it once.
func (r *Replica) Serve(ctx context.Context) error {
	logger := r.logger
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	background.Go(func() { r.listener.Run(listenCtx) })
	r.files.sweep(listenCtx, &background, logger)
	defer func() {
		stopListening()
		background.Wait()
	}()

	serveErr := make(chan error, 1)
	go func() { serveErr <- r.srv.Serve(r.ln) }()
	addr := r.ln.Addr().String()
	logger.Info("serving", "addr", addr, "url", localURL(r.ln.Addr()), "mode", r.mode())
	if r.onReady != nil {
		r.onReady(addr)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	r.hub.Shutdown(shutdownCtx) // WebSockets get 1012 and reconnect elsewhere
	if err := r.srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running at shutdown were cut", "err", err)
	}
	logger.Info("stopped")
	return nil
}

// mode names how the replica runs, for the start-up line.
func (r *Replica) mode() string {
	if r.cfg.Dev {
		return "development"
	}
	return "production"
}

// Close releases what Build opened (Yjs documents, file store, database pool, listening socket),
// newest first. Call it after Serve has returned, or instead of Serve.
func (r *Replica) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

func migrate(ctx context.Context, url string, logger *slog.Logger) error {
	m, err := db.NewMigrator(url)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := m.Up(ctx)
	if err != nil {
		return fmt.Errorf("%w (or start with RECORDROOM_MIGRATE=false and run `recordroom migrate up` yourself)", err)
	}
	v, err := m.Version(ctx)
	if err != nil {
		return err
	}
	logger.Info("database migrated", "applied", n, "version", v)
	return nil
}

// replicaID names this process in logs, hello messages and pg_stat_activity.
func replicaID() string {
	host, err := os.Hostname()
	if err != nil {
		host = "recordroom"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}
