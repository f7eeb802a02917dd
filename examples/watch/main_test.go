package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/recordroom/recordroom/app"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/client"
	"github.com/recordroom/recordroom/internal/testdb"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startServer runs a RecordRoom server until the test ends and returns its URL.
func startServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	env := map[string]string{"DATABASE_URL": testdb.New(t).URL, "RECORDROOM_ADDR": ln.Addr().String(),
		"RECORDROOM_JWT_SECRET": "watch-secret", "RECORDROOM_DATA_DIR": t.TempDir()}
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- app.Run(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler), Listener: ln,
			OnReady: func(string) { close(ready) }})
	}()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	}
	return "http://" + ln.Addr().String()
}

func TestWatchPrintsEveryChange(t *testing.T) {
	t.Parallel()
	url := startServer(t)
	token, err := auth.MintHS256([]byte("watch-secret"), auth.Identity{UserID: "alice"}, time.Hour, time.Now())
	require.NoError(t, err)
	rest, err := client.NewREST(url, "r1", client.Options{TokenSource: client.StaticToken(token)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = rest.CreateRecord(ctx, "tasks", "t1", map[string]any{"status": "active"})
	require.NoError(t, err)

	pr, pw := io.Pipe()
	watchCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() {
		ran <- run(watchCtx, []string{"-url", url, "-room", "r1", "-token", token, "-collection", "tasks",
			"-where", `{"status":"active"}`}, pw, io.Discard)
	}()
	lines := bufio.NewScanner(pr)
	next := func() string {
		require.True(t, lines.Scan())
		return lines.Text()
	}
	require.Equal(t, `+ t1 v1 {"status":"active"}`, next())
	_, err = rest.PutRecord(ctx, "tasks", "t1", map[string]any{"title": "x"}, client.PutOptions{})
	require.NoError(t, err)
	require.Equal(t, `~ t1 v2 {"title":"x","status":"active"}`, next())
	_, err = rest.PutRecord(ctx, "tasks", "t1", map[string]any{"status": "done"}, client.PutOptions{})
	require.NoError(t, err)
	require.Equal(t, "- t1", next())

	stop()
	pr.Close() // a line printed after stop must not block run
	require.NoError(t, <-ran)
}
