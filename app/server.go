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

// Options are what Run needs besides the configuration.
type Options struct {
	Logger *slog.Logger
	// Listener, when set, is used instead of listening on the configured address (tests).
	Listener net.Listener
	// OnReady, when set, is called with the address served once the server accepts requests.
	OnReady func(addr string)
}

// Run serves until ctx ends, then shuts down gracefully. Start-up problems (port taken, database
// unreachable, migration failed) are returned as errors that say what to fix.
func Run(ctx context.Context, cfg Config, opts Options) error {
	logger := opts.Logger
	replica := replicaID()
	logger = logger.With("replica", replica)

	ln := opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("cannot listen on %s: %w (another process may use it: set RECORDROOM_ADDR)", cfg.Addr, err)
		}
	}
	defer ln.Close()

	database, err := db.Open(ctx, cfg.DatabaseURL, db.Options{
		ApplicationName: "recordroom " + replica, MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout,
		SessionURL: cfg.ListenDatabaseURL,
	})
	if err != nil {
		return fmt.Errorf("%w (check DATABASE_URL)", err)
	}
	defer database.Close()
	if err := database.Wait(ctx, cfg.DBWait); err != nil {
		return fmt.Errorf("%w (check DATABASE_URL and that Postgres is running)", err)
	}
	// LISTEN and the migrator's session lock need a real session, never a transaction pooler.
	sessionURL := cmp.Or(cfg.ListenDatabaseURL, cfg.DatabaseURL)
	if cfg.Migrate {
		if err := migrate(ctx, sessionURL, logger); err != nil {
			return err
		}
	}
	listenConn, err := db.ParseConfig(sessionURL)
	if err != nil {
		return fmt.Errorf("%w (check RECORDROOM_LISTEN_DATABASE_URL)", err)
	}
	listenConn.ConnConfig.RuntimeParams["application_name"] = "recordroom " + replica + " listener"
	fileStore, err := openFiles(ctx, cfg, database, ln.Addr(), logger)
	if err != nil {
		return err
	}
	defer fileStore.Close()

	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{
		Secret: []byte(cfg.JWTSecret), JWKSURL: cfg.JWKSURL, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience,
		Logger: logger,
	})
	if err != nil {
		return err
	}
	recordService, err := records.New(database, cfg.Schema)
	if err != nil {
		return err
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	memberService := members.New(database)
	docs := yjs.NewDocs(database, yjs.DocsConfig{MaxDocBytes: cfg.MaxDocBytes, Logger: logger})
	defer docs.Close()
	hub := realtime.NewHub(realtime.HubConfig{
		Records: recordService, Members: memberService, Docs: docs, Logger: logger, Registerer: registry, Replica: replica,
	})
	listener := realtime.NewListener(realtime.ListenerConfig{
		ConnConfig: listenConn.ConnConfig,
		Logger:     logger,
		Registerer: registry,
		OnChange:   hub.QueueChange,
		OnConnect:  hub.Resync,
	})
	handler := api.New(api.Config{
		Logger:    logger,
		Registry:  registry,
		Verifier:  verifier,
		Members:   memberService,
		Records:   recordService,
		Files:     fileStore.files,
		Docs:      docs,
		FileStore: fileStore.publicHandler(),
		Hub:       hub,
		Ready: []api.Check{
			{Name: "database", Check: database.Ping},
			{Name: "listener", Check: func(context.Context) error {
				if !listener.Connected() {
					return errors.New("not connected")
				}
				return nil
			}},
		},
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	background.Go(func() { listener.Run(listenCtx) })
	fileStore.sweep(listenCtx, &background, logger)
	defer func() {
		stopListening()
		background.Wait()
	}()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String())
	if opts.OnReady != nil {
		opts.OnReady(ln.Addr().String())
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	hub.Shutdown(shutdownCtx) // WebSockets get 1012 and reconnect elsewhere
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running at shutdown were cut", "err", err)
	}
	logger.Info("stopped")
	return nil
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
