package app

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
)

// The server reaches Postgres over TLS with the certificate verified (sslmode=verify-full): it
// starts, becomes ready, serves writes and reads, and every session it opens is encrypted.
func TestTLSVerifyFull(t *testing.T) {
	t.Parallel()
	ca := testCA(t)
	tdb := testdb.New(t)
	addr, err := startWith(t, map[string]string{"DATABASE_URL": verifyFull(t, tdb.URL, ca)})
	require.NoError(t, err)
	waitReady(t, addr)

	tok := testToken(t, "alice")
	code, created := restJSON(t, addr, tok, "POST", "/v1/rooms/tls/collections/notes/records",
		map[string]any{"id": "n1", "data": map[string]any{"text": "over TLS"}})
	require.Equal(t, http.StatusCreated, code, created)
	code, got := restJSON(t, addr, tok, "GET", "/v1/rooms/tls/collections/notes/records/n1", nil)
	require.Equal(t, http.StatusOK, code, got)
	require.Equal(t, map[string]any{"text": "over TLS"}, got["data"])

	// The server's own sessions, its pool's and its listener's, as Postgres sees them.
	conn, err := pgx.Connect(t.Context(), tdb.URL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.WithoutCancel(t.Context())) })
	rows, err := conn.Query(t.Context(), `
		SELECT a.application_name, s.ssl
		FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
		WHERE a.datname = current_database() AND a.application_name LIKE 'recordroom %'`)
	require.NoError(t, err)
	sessions, err := pgx.CollectRows(rows, pgx.RowToMap)
	require.NoError(t, err)
	var pool, listener int
	for _, s := range sessions {
		require.Equal(t, true, s["ssl"], "session %v is not encrypted", s["application_name"])
		if strings.HasSuffix(s["application_name"].(string), " listener") {
			listener++
		} else {
			pool++
		}
	}
	require.Equal(t, 1, listener, "the listener's session: %v", sessions)
	require.Positive(t, pool, "the pool's sessions: %v", sessions)
}

// A certificate that does not chain to the given CA stops the server at start, with one line
// that names the certificate problem.
func TestTLSWrongCAFailsAtStart(t *testing.T) {
	t.Parallel()
	testCA(t) // the test server serves TLS: the failure must come from verification
	tdb := testdb.New(t)
	wrong := filepath.Join(t.TempDir(), "wrong-ca.pem")
	require.NoError(t, os.WriteFile(wrong, throwawayCA(t), 0o644))

	_, err := startWith(t, map[string]string{
		"DATABASE_URL":       verifyFull(t, tdb.URL, wrong),
		"RECORDROOM_DB_WAIT": "1s", // the default keeps retrying for 30s
	})
	require.Error(t, err, "the server must not start")
	msg := err.Error()
	require.NotContains(t, msg, "\n", "one line")
	require.Contains(t, msg, "certificate signed by unknown authority")
	require.Contains(t, msg, "check DATABASE_URL")
}

// testCA is the CA that signed the test server's certificate: make test sets
// RECORDROOM_TEST_PG_CA from scripts/devpg ca. Without it the TLS tests skip.
func testCA(t *testing.T) string {
	t.Helper()
	ca := os.Getenv("RECORDROOM_TEST_PG_CA")
	if ca == "" {
		t.Skip("RECORDROOM_TEST_PG_CA is not set: run `make test`, or set it to the CA file of the " +
			"test server's certificate (for the local cluster: RECORDROOM_TEST_PG_CA=$(scripts/devpg ca))")
	}
	return ca
}

// verifyFull returns rawURL with TLS required and the server's certificate checked against ca,
// host name included. A loopback address becomes localhost, the name devpg's certificate is for.
func verifyFull(t *testing.T, rawURL, ca string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() {
		u.Host = net.JoinHostPort("localhost", u.Port())
	}
	q := u.Query()
	q.Set("sslmode", "verify-full")
	q.Set("sslrootcert", ca)
	u.RawQuery = q.Encode()
	return u.String()
}

// throwawayCA is the PEM certificate of a CA made for one test, which signed nothing.
func throwawayCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "not the test server's CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// waitReady waits for /readyz to answer 200 with the database and the listener up.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	var last readiness
	require.Eventually(t, func() bool {
		var code int
		code, last = getReady(t, addr)
		return code == http.StatusOK && last.Checks["database"] == "ok" && last.Checks["listener"] == "ok"
	}, 20*time.Second, 10*time.Millisecond, "not ready: %+v", &last)
}

// testToken is a token for user, signed with the secret start and startWith configure.
func testToken(t *testing.T, user string) string {
	t.Helper()
	tok, err := auth.MintHS256([]byte(testSecret), auth.Identity{UserID: user}, time.Hour, time.Now())
	require.NoError(t, err)
	return tok
}

// restJSON sends body (nil for none) as JSON and returns the status and the decoded answer.
func restJSON(t *testing.T, addr, tok, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, "http://"+addr+path, in)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != http.StatusNoContent {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	}
	return resp.StatusCode, out
}
