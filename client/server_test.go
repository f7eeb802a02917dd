package client

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/app"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
)

const testSecret = "client-test-secret"

// testServer is a RecordRoom server run in-process on a fixed address, so that it can stop and
// start again where its clients expect it.
type testServer struct {
	t       *testing.T
	addr    string
	dbURL   string
	dataDir string
	env     map[string]string // settings over the defaults
	cancel  context.CancelFunc
	done    chan error
}

// startServer runs a server with a database of its own; it stops when the test ends.
func startServer(t *testing.T) *testServer {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with settings of its own.
func startServerWith(t *testing.T, env map[string]string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &testServer{t: t, addr: ln.Addr().String(), dbURL: testdb.New(t).URL, dataDir: t.TempDir(), env: env}
	s.run(ln)
	t.Cleanup(s.stop)
	return s
}

func (s *testServer) run(ln net.Listener) {
	s.t.Helper()
	env := map[string]string{
		"DATABASE_URL": s.dbURL, "RECORDROOM_ADDR": s.addr, "RECORDROOM_JWT_SECRET": testSecret,
		"RECORDROOM_DATA_DIR": s.dataDir,
	}
	maps.Copy(env, s.env)
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	require.NoError(s.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- app.Run(ctx, cfg, app.Options{
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Listener: ln,
			OnReady: func(string) { close(ready) },
		})
	}()
	s.cancel, s.done = cancel, done
	select {
	case <-ready:
	case err := <-done:
		s.t.Fatalf("server stopped: %v", err)
	case <-time.After(30 * time.Second):
		s.t.Fatal("server did not start")
	}
}

// stop shuts the server down (its sockets get 1012) and waits until it has returned.
func (s *testServer) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	require.NoError(s.t, <-s.done)
	s.cancel = nil
}

// restart serves again on the same address.
func (s *testServer) restart() {
	s.t.Helper()
	var ln net.Listener
	require.Eventually(s.t, func() bool {
		var err error
		ln, err = net.Listen("tcp", s.addr)
		require.True(s.t, err == nil || errors.Is(err, syscall.EADDRINUSE), "listen: %v", err)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	s.run(ln)
}

func (s *testServer) url() string { return "http://" + s.addr }

// token mints a token for user, valid for ttl.
func (s *testServer) token(user string, ttl time.Duration) string {
	s.t.Helper()
	tok, err := auth.MintHS256([]byte(testSecret), auth.Identity{UserID: user, Email: user + "@example.org"}, ttl, time.Now())
	require.NoError(s.t, err)
	return tok
}

// rest is a REST client acting as user in room.
func (s *testServer) rest(room, user string) *REST {
	s.t.Helper()
	r, err := NewREST(s.url(), room, Options{TokenSource: StaticToken(s.token(user, time.Hour))})
	require.NoError(s.t, err)
	return r
}

// dial connects user to room with quick reconnects; the client closes when the test ends.
func (s *testServer) dial(room, user string, opts Options) *Client {
	s.t.Helper()
	if opts.TokenSource == nil {
		opts.TokenSource = StaticToken(s.token(user, time.Hour))
	}
	if opts.BackoffMin == 0 {
		opts.BackoffMin, opts.BackoffMax = 5*time.Millisecond, 50*time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, s.url(), room, opts)
	require.NoError(s.t, err)
	s.t.Cleanup(func() { require.NoError(s.t, c.Close()) })
	return c
}

// ctx is a context that ends with the test, bounded so that a hang fails instead of stalling.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// states records a client's state changes, all of them, for the test to wait on in order.
type states struct {
	mu   sync.Mutex
	list []StateChange
	read int
	wake chan struct{}
}

func newStates() *states { return &states{wake: make(chan struct{}, 1)} }

func (s *states) record(ch StateChange) {
	s.mu.Lock()
	s.list = append(s.list, ch)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// waitFor returns the next change to state st, skipping the others.
func (s *states) waitFor(t *testing.T, st State) StateChange {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		for s.read < len(s.list) {
			ch := s.list[s.read]
			s.read++
			if ch.State == st {
				s.mu.Unlock()
				return ch
			}
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-timeout:
			t.Fatalf("no change to %s", st)
		}
	}
}

// waitRecords waits for a subscription's result to satisfy ok.
func waitRecords(t *testing.T, sub *Subscription, ok func([]Record) bool) []Record {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		if recs := sub.Records(); ok(recs) {
			return recs
		}
		select {
		case <-sub.Changed():
		case <-timeout:
			t.Fatalf("subscription never matched; holds %d records", len(sub.Records()))
		}
	}
}
