package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
)

// binary is the recordroom command built once for the tests that run it as a process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "recordroom-cmd-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "recordroom")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build recordroom:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running `recordroom serve`.
type process struct {
	cmd    *exec.Cmd
	addr   chan string // the served address, once
	exited chan error  // the exit status, once
	mu     sync.Mutex
	log    []string
}

func startServe(t *testing.T, env ...string) *process {
	t.Helper()
	p := &process{addr: make(chan string, 1), exited: make(chan error, 1)}
	p.cmd = exec.Command(binary, "serve")
	p.cmd.Env = append(os.Environ(), append([]string{"RECORDROOM_ADDR=127.0.0.1:0", "RECORDROOM_JWT_SECRET=test-secret",
		"RECORDROOM_DATA_DIR=" + t.TempDir()}, env...)...)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	go p.readLog(stderr)
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("server log:\n%s", p.logText())
		}
	})
	return p
}

// readLog keeps the server's log and picks the served address out of its "serving" line.
func (p *process) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.log = append(p.log, line)
		p.mu.Unlock()
		var entry struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "serving" {
			p.addr <- entry.Addr
		}
	}
	p.exited <- p.cmd.Wait()
}

func (p *process) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log, "\n")
}

func (p *process) waitAddr(t *testing.T) string {
	t.Helper()
	select {
	case addr := <-p.addr:
		return addr
	case err := <-p.exited:
		t.Fatalf("server exited before serving: %v\n%s", err, p.logText())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start\n%s", p.logText())
	}
	return ""
}

// waitReady polls /readyz until it answers 200.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 20*time.Millisecond)
}

// Two replicas starting at the same moment on an empty database both migrate it (one after the
// other, under goose's lock) and become ready.
func TestTwoReplicasStartTogetherOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	tdb := testdb.NewEmpty(t, "")
	a := startServe(t, "DATABASE_URL="+tdb.URL)
	b := startServe(t, "DATABASE_URL="+tdb.URL)
	waitReady(t, a.waitAddr(t))
	waitReady(t, b.waitAddr(t))

	out, err := exec.Command(binary, "migrate", "status").CombinedOutput()
	require.Error(t, err, "migrate needs DATABASE_URL")
	require.Contains(t, string(out), "DATABASE_URL")
	cmd := exec.Command(binary, "migrate", "status")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+tdb.URL)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	require.Equal(t, testdb.MigrationCount(t), strings.Count(string(out), "applied "), string(out))
}

// SIGTERM stops a replica gracefully: exit status 0 well within 10 seconds.
func TestSIGTERMExitsZero(t *testing.T) {
	t.Parallel()
	tdb := testdb.New(t)
	p := startServe(t, "DATABASE_URL="+tdb.URL)
	waitReady(t, p.waitAddr(t))

	start := time.Now()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.exited:
		require.NoError(t, err, "exit status")
		p.exited <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
	t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	require.Contains(t, p.logText(), `"msg":"stopped"`)
}

// Start-up problems end the process with one line that says what to fix, and no stack trace.
func TestStartupProblemsAreOneLineErrors(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { taken.Close() }) // not defer: the parallel subtests run after this function returns
	good := testdb.New(t).URL

	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"no database url", []string{"DATABASE_URL="}, "DATABASE_URL is not set"},
		{"bad database url", []string{"DATABASE_URL=postgres://u@host:notaport/db"}, "check DATABASE_URL"},
		{"unreachable database", []string{"DATABASE_URL=postgres://u@127.0.0.1:1/db", "RECORDROOM_DB_WAIT=300ms"}, "Postgres is running"},
		{"no secret", []string{"DATABASE_URL=" + good, "RECORDROOM_JWT_SECRET="}, "RECORDROOM_JWT_SECRET"},
		{"port in use", []string{"DATABASE_URL=" + good, "RECORDROOM_ADDR=" + taken.Addr().String()}, "set RECORDROOM_ADDR"},
		{"dev mode misspelt", []string{"DATABASE_URL=" + good, "RECORDROOM_DEV=yes"}, "RECORDROOM_DEV: want true or false"},
		{"bad number", []string{"DATABASE_URL=" + good, "RECORDROOM_MAX_FILE_BYTES=lots"}, "RECORDROOM_MAX_FILE_BYTES"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "serve")
			cmd.Env = append(os.Environ(), append([]string{"RECORDROOM_ADDR=127.0.0.1:0", "RECORDROOM_JWT_SECRET=s",
				"RECORDROOM_DATA_DIR=" + t.TempDir()}, tc.env...)...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, string(out))
			require.Equal(t, 1, exit.ExitCode())
			text := strings.TrimSpace(string(out))
			require.NotContains(t, text, "\n", "one line")
			require.NotContains(t, text, "goroutine", "no stack trace")
			require.True(t, strings.HasPrefix(text, "recordroom: "), text)
			require.Contains(t, text, tc.want)
		})
	}
}

func TestTokenPrintsAVerifiableToken(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "token", "--sub", "alice", "--email", "a@x.org", "--ttl", "1h")
	cmd.Env = append(os.Environ(), "RECORDROOM_JWT_SECRET=s")
	out, err := cmd.Output()
	require.NoError(t, err)
	require.Equal(t, 2, strings.Count(strings.TrimSpace(string(out)), "."), "a JWT")

	cmd = exec.Command(binary, "token", "--sub", "alice")
	cmd.Env = append(os.Environ(), "RECORDROOM_JWT_SECRET=")
	out, err = cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "RECORDROOM_JWT_SECRET")
}
