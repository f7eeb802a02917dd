package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/recordroom/recordroom/app"
)

// startLocal makes the target the benchmark runs itself: a fresh database beside the one
// cfg.DatabaseURL names, two replicas in this process, and, for the idle and many-subs
// scenarios, one more each as a process of its own. cleanup stops them all and drops the
// database.
func startLocal(ctx context.Context, cfg Config, log *progress) (t *target, cleanup func(), err error) {
	if cfg.DatabaseURL == "" {
		return nil, nil, errors.New("no database: set DATABASE_URL to a Postgres server the benchmark may create a database on " +
			"(make bench uses the development cluster), or give --url of a running server")
	}
	dbURL, drop, err := createDatabase(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	dataDir, err := os.MkdirTemp("", "recordroom-bench-")
	if err != nil {
		_ = drop()
		return nil, nil, err
	}
	var stops []func()
	cleanup = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		if err := drop(); err != nil {
			log.printf("%v", err)
		}
		_ = os.RemoveAll(dataDir)
	}
	secret := randomHex(32)
	t = &target{dbURL: dbURL, secret: []byte(secret), prefix: "bench-" + randomHex(3)}
	// One replica at a time: the first applies the migrations.
	for i := range 2 {
		env := replicaEnv(cfg, dbURL, secret, filepath.Join(dataDir, fmt.Sprint(i)))
		base, stop, err := startReplica(ctx, env, log)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		stops = append(stops, stop)
		t.replicas = append(t.replicas, base)
	}
	log.printf("replicas %s and %s in this process", t.replicas[0], t.replicas[1])
	t.memoryServer = func(ctx context.Context) (string, func(), error) {
		s, err := startProcess(ctx, cfg, replicaEnv(cfg, dbURL, secret, filepath.Join(dataDir, "memory")))
		if err != nil {
			return "", nil, err
		}
		return s.base, s.release, nil
	}
	t.cpuServer = func(ctx context.Context) (*ownServer, error) {
		return startProcess(ctx, cfg, replicaEnv(cfg, dbURL, secret, filepath.Join(dataDir, "cpu")))
	}
	return t, cleanup, nil
}

// startProcess runs a replica as a process of its own, configured by env, and returns its URL
// once it is ready, its process id, and how to stop it.
func startProcess(ctx context.Context, cfg Config, env map[string]string) (*ownServer, error) {
	if len(cfg.ServeCommand) == 0 {
		return nil, skip("no command to run a server process with")
	}
	// Only what is named here: GOGC, GOMEMLIMIT or GODEBUG from this shell would change what is
	// measured.
	environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "RECORDROOM_MIGRATE=false"}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	p, addr, err := spawn(ctx, cfg.ServeCommand, environ)
	if err != nil {
		return nil, err
	}
	base := "http://" + addr
	if err := awaitReady(ctx, base); err != nil {
		p.stop()
		return nil, err
	}
	return &ownServer{base: base, pid: p.cmd.Process.Pid, release: p.stop}, nil
}

// replicaEnv is the configuration of a replica the benchmark starts: cfg.ServerEnv, and its own
// database, a free port, the secret it mints tokens with and a data folder.
func replicaEnv(cfg Config, dbURL, secret, dataDir string) map[string]string {
	env := map[string]string{}
	for k, v := range cfg.ServerEnv {
		env[k] = v
	}
	// The benchmark's load comes from one address and, in feed, one client writing 1,000/s:
	// the defaults of these limits would refuse it.
	for _, k := range []string{"RECORDROOM_RATE_MUTATIONS", "RECORDROOM_MAX_SOCKETS_PER_IP", "RECORDROOM_MAX_SOCKETS_PER_USER"} {
		if _, set := env[k]; !set {
			env[k] = "0"
		}
	}
	env["DATABASE_URL"] = dbURL
	env["RECORDROOM_ADDR"] = "127.0.0.1:0"
	env["RECORDROOM_JWT_SECRET"] = secret
	env["RECORDROOM_DATA_DIR"] = dataDir
	return env
}

// startReplica runs server.Run in this process, configured by env, and returns its URL once it
// is ready.
func startReplica(ctx context.Context, env map[string]string, log *progress) (string, func(), error) {
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		return "", nil, err
	}
	// Warnings and errors only: they mean something went wrong during the run.
	logger := slog.New(slog.NewTextHandler(log.writer(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- app.Run(runCtx, cfg, app.Options{Logger: logger, OnReady: func(addr string) { ready <- addr }})
	}()
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				log.printf("replica: %v", err)
			}
		case <-time.After(app.ShutdownTimeout + 10*time.Second):
			log.printf("a replica did not stop in time")
		}
	}
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		cancel()
		return "", nil, fmt.Errorf("replica: %w", err)
	case <-ctx.Done():
		stop()
		return "", nil, ctx.Err()
	}
	if err := awaitReady(ctx, base); err != nil {
		stop()
		return "", nil, err
	}
	return base, stop, nil
}

// awaitReady waits until the replica at base has its change listener connected, so that no
// change of the run can pass it by. It reads /metrics rather than /readyz, whose 503s while
// starting would be logged as errors.
func awaitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		if connected, err := listenerConnected(ctx, base); err == nil && connected {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not become ready within a minute", base)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
