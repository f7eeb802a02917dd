package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
)

// The development secret is made once, readable by its owner only, and the same secret is read
// again by the next start (and by make token, which reads the same file).
func TestDevSecretIsCreatedOnceAndReused(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data") // not there yet: made on the way
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	first, err := devSecret(dir, logger)
	require.NoError(t, err)
	require.Len(t, first, 44, "32 random bytes in base64")
	info, err := os.Stat(filepath.Join(dir, DevSecretFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	again, err := devSecret(dir, logger)
	require.NoError(t, err)
	require.Equal(t, first, again)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	// Replicas starting together on one data folder agree on one secret.
	shared := t.TempDir()
	secrets := make([]string, 8)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Go(func() {
			s, err := devSecret(shared, logger)
			require.NoError(t, err)
			secrets[i] = s
		})
	}
	wg.Wait()
	for _, s := range secrets {
		require.Equal(t, secrets[0], s)
	}

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, DevSecretFile), []byte("\n"), 0o600))
	_, err = devSecret(empty, logger)
	require.ErrorContains(t, err, "is empty")
}

// lockedBuffer is a log destination a test may read while the server writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A server in development mode with no token settings verifies tokens with the secret it made
// under its data folder, says so loudly, and a second start on the same folder keeps the secret.
func TestDevModeServesWithItsOwnSecret(t *testing.T) {
	t.Parallel()
	dbURL, dataDir := testdb.New(t).URL, t.TempDir()
	dev := map[string]string{"DATABASE_URL": dbURL, "RECORDROOM_DEV": "true", "RECORDROOM_JWT_SECRET": "", "RECORDROOM_DATA_DIR": dataDir}
	var log lockedBuffer
	addr, err := startLogged(t, dev, &log)
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dataDir, DevSecretFile))
	require.NoError(t, err)
	secret := strings.TrimSpace(string(b))
	require.Equal(t, http.StatusOK, getMe(t, addr, secret))
	require.Equal(t, http.StatusUnauthorized, getMe(t, addr, "some-other-secret"))

	first := logLine(t, log.String(), "DEVELOPMENT MODE")
	require.Equal(t, "WARN", first["level"])
	require.Contains(t, first["enables"], "CORS")
	require.Equal(t, "development", logLine(t, log.String(), "serving")["mode"])

	again, err := startWith(t, dev)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, getMe(t, again, secret), "the second start reads the same secret")

	// A configured secret wins; no file is made.
	other := t.TempDir()
	explicit, err := startWith(t, map[string]string{"DATABASE_URL": dbURL, "RECORDROOM_DEV": "true", "RECORDROOM_DATA_DIR": other})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, getMe(t, explicit, testSecret))
	require.NoFileExists(t, filepath.Join(other, DevSecretFile))
}

// Outside development mode a server with no token settings does not start (LoadConfig refuses
// it; Build refuses a Config made by hand the same way), and makes no secret file.
func TestNoSecretOutsideDevModeRefusesToStart(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	_, err := LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_DATA_DIR": dataDir}))
	require.ErrorContains(t, err, "no token verification configured")

	cfg, err := LoadConfig(env(map[string]string{"DATABASE_URL": testdb.New(t).URL, "RECORDROOM_ADDR": "127.0.0.1:0",
		"RECORDROOM_JWT_SECRET": "s", "RECORDROOM_DATA_DIR": dataDir}))
	require.NoError(t, err)
	cfg.JWTSecret = ""
	r, err := Build(context.Background(), cfg, Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	require.ErrorContains(t, err, "RECORDROOM_JWT_SECRET")
	require.Nil(t, r)
	require.NoFileExists(t, filepath.Join(dataDir, DevSecretFile))
}

// getMe asks addr for /me with a token for alice signed with secret, and returns the status.
func getMe(t *testing.T, addr, secret string) int {
	t.Helper()
	tok, err := auth.MintHS256([]byte(secret), auth.Identity{UserID: "alice"}, time.Hour, time.Now())
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/rooms/r/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// logLine is the first JSON log line whose message starts with msg.
func logLine(t *testing.T, log, msg string) map[string]any {
	t.Helper()
	for line := range strings.Lines(log) {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && strings.HasPrefix(entry["msg"].(string), msg) {
			return entry
		}
	}
	t.Fatalf("no log line %q in:\n%s", msg, log)
	return nil
}

// preflight sends the preflight a browser page at origin sends before a PUT with a token.
func preflight(t *testing.T, addr, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, "http://"+addr+"/v1/rooms/r/collections/tasks/records/t1", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPut)
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,if-match,x-widget-id")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// corsHeaders are the Access-Control-* headers of h.
func corsHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out[k] = v
		}
	}
	return out
}

// In development mode a page on a local origin may call the API: the preflight is answered
// before authentication (204, not 401) and allows what the API's requests carry; answers, errors
// included, are readable by the page. A non-local origin gets no CORS headers even then.
func TestDevModeAllowsLocalOrigins(t *testing.T) {
	t.Parallel()
	addr, err := startWith(t, map[string]string{"DATABASE_URL": testdb.New(t).URL, "RECORDROOM_DEV": "true"})
	require.NoError(t, err)

	resp := preflight(t, addr, "http://localhost:5173")
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, "http://localhost:5173", resp.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), http.MethodPut)
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "if-match", "x-widget-id"} {
		require.Contains(t, allowed, h)
	}
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"), "tokens are headers, not cookies")

	for _, origin := range []string{"http://127.0.0.1:3000", "https://[::1]:8443"} {
		require.Equal(t, origin, preflight(t, addr, origin).Header.Get("Access-Control-Allow-Origin"))
	}

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/rooms/r/me", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://localhost:5173")
	got, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	got.Body.Close()
	require.Equal(t, http.StatusUnauthorized, got.StatusCode)
	require.Equal(t, "http://localhost:5173", got.Header.Get("Access-Control-Allow-Origin"), "the page can read the error")
	require.Contains(t, got.Header.Get("Access-Control-Expose-Headers"), "ETag")

	require.Empty(t, corsHeaders(preflight(t, addr, "https://evil.example").Header))
}

// Outside development mode no CORS header is ever sent, even to a local origin.
func TestNoCORSOutsideDevMode(t *testing.T) {
	t.Parallel()
	addr := start(t, testdb.New(t).URL)
	require.Empty(t, corsHeaders(preflight(t, addr, "http://localhost:5173").Header))
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://localhost:5173")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, corsHeaders(resp.Header))
}
