package app

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
)

// Behind a transaction-mode pooler (PgBouncer, pool_mode=transaction) the server works with the
// settings docs/operations.md gives: DATABASE_URL through the pooler with
// default_query_exec_mode=cache_describe and RECORDROOM_DB_STATEMENT_TIMEOUT=0,
// RECORDROOM_LISTEN_DATABASE_URL direct. A write made through REST reaches a WebSocket
// subscriber: the direct LISTEN hears what the pooled connections commit.
func TestPoolerTransactionMode(t *testing.T) {
	t.Parallel()
	tdb := testdb.New(t)
	direct, err := url.Parse(tdb.URL)
	require.NoError(t, err)
	bouncer := startPgBouncer(t, direct.Host)

	pooled := *direct
	pooled.Host = bouncer.addr
	q := pooled.Query()
	// pgx's default prepares named statements, which live on one server connection: the pooler
	// hands the next transaction another. cache_describe sends every query with its text.
	// (exec and simple_protocol send []byte as bytea, which a jsonb column refuses.)
	q.Set("default_query_exec_mode", "cache_describe")
	pooled.RawQuery = q.Encode()
	addr, err := startWith(t, map[string]string{
		"DATABASE_URL":                    pooled.String(),
		"RECORDROOM_LISTEN_DATABASE_URL":  tdb.URL,
		"RECORDROOM_DB_STATEMENT_TIMEOUT": "0", // PgBouncer refuses it as a startup parameter
	})
	require.NoError(t, err)
	waitReady(t, addr)

	tok := testToken(t, "alice")
	ws, resp, err := websocket.DefaultDialer.DialContext(t.Context(),
		"ws://"+addr+"/v1/rooms/pooled/ws?token="+url.QueryEscape(tok), nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	read := func(want string) map[string]any {
		t.Helper()
		require.NoError(t, ws.SetReadDeadline(time.Now().Add(15*time.Second)))
		for {
			var m map[string]any
			require.NoError(t, ws.ReadJSON(&m))
			if m["type"] == want {
				return m
			}
			require.NotEqual(t, "error", m["type"], m)
		}
	}
	read("hello")
	require.NoError(t, ws.WriteJSON(map[string]any{"type": "subscribe", "sub": "s1", "collection": "tasks"}))
	require.Empty(t, read("snapshot")["records"])

	code, created := restJSON(t, addr, tok, "POST", "/v1/rooms/pooled/collections/tasks/records",
		map[string]any{"id": "t1", "data": map[string]any{"title": "through the pooler"}})
	require.Equal(t, 201, code, created)
	changes := read("changes")
	require.Equal(t, "s1", changes["sub"])
	upserts := changes["upserts"].([]any)
	require.Len(t, upserts, 1)
	require.Equal(t, "t1", upserts[0].(map[string]any)["id"])

	code, list := restJSON(t, addr, tok, "GET", "/v1/rooms/pooled/collections/tasks/records", nil)
	require.Equal(t, 200, code, list)
	require.Len(t, list["records"], 1)
	// Files take their path locks on the direct session pool: upload, overwrite and delete
	// several times over, and every lock is released.
	for i := range 3 {
		code, f := restJSON(t, addr, tok, "PUT", "/v1/rooms/pooled/files/self/notes.json", map[string]any{"i": i})
		require.Equal(t, 200, code, f)
	}
	code, deleted := restJSON(t, addr, tok, "DELETE", "/v1/rooms/pooled/files/self/notes.json", nil)
	require.Equal(t, 204, code, deleted)
	code, files := restJSON(t, addr, tok, "GET", "/v1/rooms/pooled/files", nil)
	require.Equal(t, 200, code, files)
	require.Empty(t, files["files"])

	require.Contains(t, bouncer.log(), "db="+tdb.Name, "the pool's connections went through PgBouncer")
}

// pgBouncer is a private PgBouncer process for one test.
type pgBouncer struct {
	addr string
	mu   sync.Mutex
	out  strings.Builder
}

func (b *pgBouncer) log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

// startPgBouncer runs PgBouncer in transaction mode on a free port in front of the Postgres
// server at upstream (host:port), trusting every user; it is stopped when the test ends. The
// test skips when PgBouncer is not installed (.ci/run installs it).
func startPgBouncer(t *testing.T, upstream string) *pgBouncer {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr != nil {
			t.Skip("pgbouncer is not installed (Debian: apt-get install pgbouncer; .ci/run installs it)")
		}
		bin = "/usr/sbin/pgbouncer"
	}
	host, port, err := net.SplitHostPort(upstream)
	require.NoError(t, err)

	// A free port: PgBouncer cannot report the one it chose, so one is picked and freed here.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &pgBouncer{addr: l.Addr().String()}
	require.NoError(t, l.Close())
	_, listenPort, err := net.SplitHostPort(b.addr)
	require.NoError(t, err)

	dir := t.TempDir()
	args := []string{}
	if os.Geteuid() == 0 {
		// PgBouncer refuses to run as root; -u makes it drop to another user once it has read
		// its files.
		u, err := user.Lookup("nobody")
		require.NoError(t, err, "PgBouncer needs an unprivileged user to run as")
		args = append(args, "-u", u.Username)
	}
	users := filepath.Join(dir, "users.txt")
	require.NoError(t, os.WriteFile(users, []byte(`"recordroom" ""`+"\n"), 0o644))
	ini := filepath.Join(dir, "pgbouncer.ini")
	require.NoError(t, os.WriteFile(ini, fmt.Appendf(nil, `[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %s
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 4
`, host, port, listenPort, users), 0o644))

	cmd := exec.Command(bin, append(args, ini)...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	up := make(chan struct{})
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			b.mu.Lock()
			b.out.WriteString(sc.Text() + "\n")
			b.mu.Unlock()
			if strings.Contains(sc.Text(), "process up") {
				once.Do(func() { close(up) })
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-scanned
		_ = cmd.Wait()
	})
	select {
	case <-up:
	case <-scanned:
		t.Fatalf("pgbouncer stopped:\n%s", b.log())
	case <-time.After(15 * time.Second):
		t.Fatalf("pgbouncer did not start:\n%s", b.log())
	}
	return b
}
