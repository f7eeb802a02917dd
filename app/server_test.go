package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/internal/testproxy"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testSecret = "server-test-secret"

// startWith is start with more (or other) environment variables. It returns the server's
// address once it accepts requests, or the error it stopped with before that; a started server
// is stopped, and must return nil, when the test ends.
func startWith(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	return startLogged(t, env, io.Discard)
}

// startLogged is startWith with the server's JSON log written to log.
func startLogged(t *testing.T, env map[string]string, log io.Writer) (string, error) {
	t.Helper()
	vars := map[string]string{
		"RECORDROOM_ADDR":       "127.0.0.1:0",
		"RECORDROOM_JWT_SECRET": testSecret,
		"RECORDROOM_DATA_DIR":   t.TempDir(),
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return vars[k] })
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, cfg, Options{
			Logger:  slog.New(slog.NewJSONHandler(log, nil)),
			OnReady: func(addr string) { ready <- addr },
		})
	}()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			require.NoError(t, <-done)
		})
		return addr, nil
	case err := <-done:
		cancel()
		return "", err
	case <-time.After(60 * time.Second):
		cancel()
		<-done
		t.Fatal("the server neither started nor failed")
	}
	return "", nil
}

// start runs a server in-process on a free port against databaseURL and returns its address;
// the server is stopped, and must return nil, when the test ends.
func start(t *testing.T, databaseURL string) string {
	t.Helper()
	addr, err := startWith(t, map[string]string{"DATABASE_URL": databaseURL})
	require.NoError(t, err, "server stopped while starting")
	return addr
}

type readiness struct {
	Status string
	Checks map[string]string
}

func getReady(t *testing.T, addr string) (int, readiness) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var r readiness
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	return resp.StatusCode, r
}

// While the database is unreachable /readyz answers 503 naming what is down, the server keeps
// serving and retrying, and it is ready again once the database is back.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	tdb := testdb.New(t)
	target, err := url.Parse(tdb.URL)
	require.NoError(t, err)
	proxy := testproxy.New(t, target.Host)
	target.Host = proxy.Addr()
	addr := start(t, target.String())

	require.Eventually(t, func() bool { code, _ := getReady(t, addr); return code == http.StatusOK },
		10*time.Second, 10*time.Millisecond)

	proxy.SetDown(true)
	var down readiness
	require.Eventually(t, func() bool {
		var code int
		code, down = getReady(t, addr)
		return code == http.StatusServiceUnavailable && down.Checks["listener"] != "ok" && down.Checks["database"] != "ok"
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "unavailable", down.Status)

	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the process stays up")

	proxy.SetDown(false)
	require.Eventually(t, func() bool { code, _ := getReady(t, addr); return code == http.StatusOK },
		20*time.Second, 10*time.Millisecond)
}

// Errors keep the contract's shape: unknown routes are not_found in a JSON error object.
func TestErrorsHaveTheContractShape(t *testing.T) {
	t.Parallel()
	addr := start(t, testdb.New(t).URL)
	resp, err := http.Get("http://" + addr + "/v1/nothing-here")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type")[:16])
	require.NotEmpty(t, resp.Header.Get("X-Request-Id"))
	var body struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "not_found", body.Error.Code)
}

func TestMetricsExposeRecordRoomAndRuntimeSeries(t *testing.T) {
	t.Parallel()
	addr := start(t, testdb.New(t).URL)
	require.Eventually(t, func() bool { code, _ := getReady(t, addr); return code == http.StatusOK },
		10*time.Second, 10*time.Millisecond)
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	text := string(b)
	for _, series := range []string{
		"recordroom_http_requests_total{", "recordroom_listener_connected 1",
		"recordroom_listener_reconnects_total 0", "go_goroutines ", "process_resident_memory_bytes ",
	} {
		require.Contains(t, text, series)
	}
}

// Without an S3 endpoint a replica serves the embedded store: a file uploaded through the API
// downloads from the presigned URL the API redirects to, on the API's own host.
func TestFilesThroughTheEmbeddedStore(t *testing.T) {
	t.Parallel()
	addr := start(t, testdb.New(t).URL)
	tok, err := auth.MintHS256([]byte(testSecret), auth.Identity{UserID: "alice"}, time.Hour, time.Now())
	require.NoError(t, err)
	do := func(method, path, body string) *http.Response {
		req, err := http.NewRequest(method, "http://"+addr+"/v1/rooms/r/files/self/"+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req) // follows the redirect, without the token
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	require.Equal(t, http.StatusOK, do("PUT", "hello.txt", "hello from s3").StatusCode)
	resp := do("GET", "hello.txt", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Request.URL.String(), "/s3/", "served by the presigned URL")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "hello from s3", string(b))
}

// A replica can be built and closed without ever serving (a tool that only needs the parts):
// Close releases everything Build opened, the listening socket included, and leaks no goroutine
// (TestMain checks).
func TestBuildThenCloseWithoutServing(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(env(map[string]string{
		"DATABASE_URL": testdb.New(t).URL, "RECORDROOM_ADDR": "127.0.0.1:0",
		"RECORDROOM_JWT_SECRET": testSecret, "RECORDROOM_DATA_DIR": t.TempDir(),
	}))
	require.NoError(t, err)
	r, err := Build(context.Background(), cfg, Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	require.NoError(t, err)
	addr := r.ln.Addr().String()
	r.Close()
	_, err = net.Dial("tcp", addr)
	require.Error(t, err, "the socket is closed")
}
