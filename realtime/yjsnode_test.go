package realtime_test

// A harness that drives real yjs clients (Node, testdata/yjsnode/client.mjs) from Go tests, so
// the Yjs endpoints (PROTOCOL.md §6) are proven against real yjs rather than against our own
// reading of it. One client per process, controlled over stdin/stdout with JSON lines; the
// protocol is described in testdata/yjsnode/README.md.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// yjsNodeDir holds client.mjs and its pinned node_modules.
const yjsNodeDir = "testdata/yjsnode"

// yjsNodeInstall is what makes yjsNodeDir runnable; the Makefile runs it before the tests.
const yjsNodeInstall = "npm ci --prefix realtime/testdata/yjsnode"

// yjsNodeWait bounds every wait on a client; generous, because a node process under a loaded
// CI machine is slow to start, and a passing test never waits this long.
const yjsNodeWait = 15 * time.Second

// yjsNodePoll is how often WaitUntil re-checks a condition that no event announces (awareness
// renewals, formatting): short, since each check is one round trip to the client.
const yjsNodePoll = 25 * time.Millisecond

// yjsNodeConfig says which endpoint one client uses and as whom.
type yjsNodeConfig struct {
	Mode  string // "plain": the stock y-websocket WebsocketProvider; "mux": the main socket
	URL   string // http base of a replica, e.g. "http://127.0.0.1:1234"
	Room  string
	Doc   string
	Token string // empty: no token is sent
	Name  string // label in failure messages; default "<mode>:<doc>"
}

// yjsNodeEvent is one event line of a client.
type yjsNodeEvent struct {
	Event    string          `json:"event"`
	ClientID uint64          `json:"clientID"` // started
	Code     *int            `json:"code"`     // closed; nil when closed locally
	Reason   string          `json:"reason"`   // closed, authDenied
	RawMsg   json.RawMessage `json:"msg"`      // server: the text frame
	Msg      map[string]any  `json:"-"`        // server: RawMsg when it is a JSON object
	Line     string          `json:"-"`        // the whole line, for failure messages
}

// yjsNode is one running client. Its methods fail the test with t.Fatalf, so they must be
// called from the goroutine of the test that started it.
type yjsNode struct {
	t        *testing.T
	name     string
	ClientID uint64 // the yjs clientID, as Peers keys it

	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  yjsNodeLog
	writeMu sync.Mutex
	done    chan struct{} // closed once the process exited and its stdout is drained

	mu      sync.Mutex
	nextID  int
	pending map[int]chan map[string]json.RawMessage
	events  []yjsNodeEvent
	wake    chan struct{} // closed and replaced on every event and at exit
	exitErr error
	shown   bool // diagnostics are already in a failure message
}

// yjsNodeLog collects a client's stderr, written by exec's copying goroutine.
type yjsNodeLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *yjsNodeLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *yjsNodeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startYjsNode starts one client and waits until it runs; it is killed when the test ends, and
// its stderr and last lines are logged if the test failed.
func startYjsNode(t *testing.T, cfg yjsNodeConfig) *yjsNode {
	t.Helper()
	requireYjsNodeInstalled(t)
	if cfg.Name == "" {
		cfg.Name = cfg.Mode + ":" + cfg.Doc
	}
	arg, err := json.Marshal(map[string]string{
		"mode": cfg.Mode, "url": cfg.URL, "room": cfg.Room, "doc": cfg.Doc, "token": cfg.Token, "name": cfg.Name,
	})
	if err != nil {
		t.Fatal(err)
	}
	n := &yjsNode{
		t: t, name: cfg.Name, done: make(chan struct{}),
		pending: map[int]chan map[string]json.RawMessage{}, wake: make(chan struct{}),
	}
	n.cmd = exec.Command("node", "client.mjs", string(arg))
	n.cmd.Dir = yjsNodeDir
	n.cmd.Stderr = &n.stderr
	// Bounds Wait should anything ever inherit the client's pipes.
	n.cmd.WaitDelay = 5 * time.Second
	if n.stdin, err = n.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := n.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("yjsnode %s: %v", n.name, err)
	}
	go n.read(stdout)
	t.Cleanup(n.stop)
	n.ClientID = n.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "started" }).ClientID
	return n
}

// requireYjsNodeInstalled fails, saying how to fix it, unless node and the exact dependency
// versions package.json pins are installed: a stale node_modules would test another yjs.
func requireYjsNodeInstalled(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("yjsnode: node (20 or later) is not on PATH: %v; install it, then run: %s", err, yjsNodeInstall)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readYjsNodeJSON(t, filepath.Join(yjsNodeDir, "package.json"), &pkg)
	for dep, want := range pkg.Dependencies {
		var got struct {
			Version string `json:"version"`
		}
		path := filepath.Join(yjsNodeDir, "node_modules", dep, "package.json")
		if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &got) != nil || got.Version != want {
			t.Fatalf("yjsnode: %s %s is not installed in %s/node_modules (found %q); run: %s",
				dep, want, yjsNodeDir, got.Version, yjsNodeInstall)
		}
	}
}

func readYjsNodeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		t.Fatalf("yjsnode: %v", err)
	}
}

// read dispatches the client's stdout until the process ends, then reaps it. It and exec's
// stderr copier are the only goroutines a client costs, and both end with the process, which
// stop guarantees by killing it.
func (n *yjsNode) read(stdout io.Reader) {
	defer close(n.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 256<<20) // an update answer holds a whole document
	for sc.Scan() {
		n.dispatch(sc.Text())
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(&n.stderr, "[harness] reading stdout: %v\n", err)
		_, _ = io.Copy(io.Discard, stdout) // the client must not block on a full pipe
	}
	err := n.cmd.Wait()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.exitErr = err
	close(n.wake)
}

func (n *yjsNode) dispatch(line string) {
	var head struct {
		ID *int `json:"id"`
	}
	var ans map[string]json.RawMessage
	if json.Unmarshal([]byte(line), &ans) != nil {
		fmt.Fprintf(&n.stderr, "[harness] stdout noise: %s\n", line)
		return
	}
	_ = json.Unmarshal([]byte(line), &head)
	n.mu.Lock()
	defer n.mu.Unlock()
	if head.ID != nil {
		if ch, ok := n.pending[*head.ID]; ok {
			delete(n.pending, *head.ID)
			ch <- ans
			return
		}
	}
	var e yjsNodeEvent
	_ = json.Unmarshal([]byte(line), &e)
	_ = json.Unmarshal(e.RawMsg, &e.Msg)
	e.Line = line
	n.events = append(n.events, e)
	close(n.wake)
	n.wake = make(chan struct{})
}

// stop kills the client (a closed one is already gone) and reaps it.
func (n *yjsNode) stop() {
	_ = n.stdin.Close()
	_ = n.cmd.Process.Kill()
	select {
	case <-n.done:
	case <-time.After(yjsNodeWait):
		n.t.Errorf("yjsnode %s: the process did not end after kill", n.name)
	}
	n.mu.Lock()
	shown := n.shown
	n.mu.Unlock()
	if n.t.Failed() && !shown {
		n.t.Logf("yjsnode %s: %s", n.name, n.diagnostics())
	}
}

// diagnostics is what a failure message shows of the client: its last lines and its stderr.
func (n *yjsNode) diagnostics() string {
	n.mu.Lock()
	events := n.events[max(0, len(n.events)-20):]
	var b strings.Builder
	fmt.Fprintf(&b, "exit: %v\nlast events:\n", n.exitErr)
	for _, e := range events {
		fmt.Fprintf(&b, "  %s\n", e.Line)
	}
	n.mu.Unlock()
	fmt.Fprintf(&b, "stderr:\n%s", n.stderr.String())
	return b.String()
}

func (n *yjsNode) fatalf(format string, args ...any) {
	n.t.Helper()
	n.mu.Lock()
	n.shown = true
	n.mu.Unlock()
	n.t.Fatalf("yjsnode %s: %s\n%s", n.name, fmt.Sprintf(format, args...), n.diagnostics())
}

// call sends one command and returns its answer; an error answer fails the test.
func (n *yjsNode) call(cmd map[string]any) map[string]json.RawMessage {
	n.t.Helper()
	ch := make(chan map[string]json.RawMessage, 1)
	n.mu.Lock()
	n.nextID++
	id := n.nextID
	n.pending[id] = ch
	n.mu.Unlock()
	cmd["id"] = id
	line, err := json.Marshal(cmd)
	if err != nil {
		n.fatalf("%v", err)
	}
	n.writeMu.Lock()
	_, err = n.stdin.Write(append(line, '\n'))
	n.writeMu.Unlock()
	if err != nil {
		n.fatalf("sending %s: %v", line, err)
	}
	var ans map[string]json.RawMessage
	select {
	case ans = <-ch:
	case <-n.done:
		select { // the answer to close comes just before the exit
		case ans = <-ch:
		default:
			n.fatalf("exited before answering %s", line)
		}
	case <-time.After(yjsNodeWait):
		n.fatalf("no answer to %s within %v", line, yjsNodeWait)
	}
	if e, ok := ans["error"]; ok {
		n.fatalf("%s answered %s", line, e)
	}
	return ans
}

// field decodes one field of an answer.
func (n *yjsNode) field(ans map[string]json.RawMessage, key string, v any) {
	n.t.Helper()
	if err := json.Unmarshal(ans[key], v); err != nil {
		n.fatalf("answer field %q: %v", key, err)
	}
}

// Insert inserts into the text "t"; index counts UTF-16 code units, as yjs does.
func (n *yjsNode) Insert(index int, text string) {
	n.t.Helper()
	n.call(map[string]any{"cmd": "insert", "index": index, "text": text})
}

// Delete deletes length UTF-16 code units of the text "t" from index.
func (n *yjsNode) Delete(index, length int) {
	n.t.Helper()
	n.call(map[string]any{"cmd": "delete", "index": index, "length": length})
}

// Format sets attributes on a range of the text "t".
func (n *yjsNode) Format(index, length int, attrs map[string]any) {
	n.t.Helper()
	n.call(map[string]any{"cmd": "format", "index": index, "length": length, "attrs": attrs})
}

// MapSet sets a key of the map "m".
func (n *yjsNode) MapSet(key string, value any) {
	n.t.Helper()
	n.call(map[string]any{"cmd": "mapSet", "key": key, "value": value})
}

// Text is the text "t" as a string.
func (n *yjsNode) Text() string {
	n.t.Helper()
	var s string
	n.field(n.call(map[string]any{"cmd": "text"}), "text", &s)
	return s
}

// Delta is the text "t" as a Quill delta, formatting included.
func (n *yjsNode) Delta() []any {
	n.t.Helper()
	var d []any
	n.field(n.call(map[string]any{"cmd": "delta"}), "delta", &d)
	return d
}

// JSON is the document's content: {"t": the text, "m": the map}.
func (n *yjsNode) JSON() map[string]any {
	n.t.Helper()
	var m map[string]any
	n.field(n.call(map[string]any{"cmd": "json"}), "json", &m)
	return m
}

// StateVector is Y.encodeStateVector of the document.
func (n *yjsNode) StateVector() []byte {
	n.t.Helper()
	return n.bytes("stateVector")
}

// Update is the whole document as one update (Y.encodeStateAsUpdate).
func (n *yjsNode) Update() []byte {
	n.t.Helper()
	return n.bytes("update")
}

func (n *yjsNode) bytes(cmd string) []byte {
	n.t.Helper()
	var s string
	n.field(n.call(map[string]any{"cmd": cmd}), cmd, &s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		n.fatalf("%s: %v", cmd, err)
	}
	return b
}

// SetAwareness sets the client's local awareness state.
func (n *yjsNode) SetAwareness(state map[string]any) {
	n.t.Helper()
	n.call(map[string]any{"cmd": "awareness", "state": state})
}

// Peers is every awareness state the client knows, its own included, keyed by the decimal
// clientID (see ClientID).
func (n *yjsNode) Peers() map[string]any {
	n.t.Helper()
	var p map[string]any
	n.field(n.call(map[string]any{"cmd": "peers"}), "peers", &p)
	return p
}

// Peer is the awareness state the client knows for clientID, nil if none.
func (n *yjsNode) Peer(clientID uint64) any {
	n.t.Helper()
	return n.Peers()[strconv.FormatUint(clientID, 10)]
}

// Synced reports whether the provider is synced now.
func (n *yjsNode) Synced() bool {
	n.t.Helper()
	var b bool
	n.field(n.call(map[string]any{"cmd": "synced"}), "synced", &b)
	return b
}

// Close disconnects (announcing the awareness removal) and waits for a clean exit.
func (n *yjsNode) Close() {
	n.t.Helper()
	n.call(map[string]any{"cmd": "close"})
	select {
	case <-n.done:
	case <-time.After(yjsNodeWait):
		n.fatalf("did not exit after close")
	}
	n.mu.Lock()
	err := n.exitErr
	n.mu.Unlock()
	if err != nil {
		n.fatalf("exit after close: %v", err)
	}
}

// Events is every event the client has sent so far, in order.
func (n *yjsNode) Events() []yjsNodeEvent {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]yjsNodeEvent(nil), n.events...)
}

// WaitEvent returns the first event since the start, earlier ones included, that pred accepts,
// waiting for it if need be.
func (n *yjsNode) WaitEvent(pred func(yjsNodeEvent) bool) yjsNodeEvent {
	n.t.Helper()
	deadline := time.After(yjsNodeWait)
	for seen := 0; ; {
		n.mu.Lock()
		events, wake := n.events[seen:], n.wake
		seen = len(n.events)
		n.mu.Unlock()
		for _, e := range events {
			if pred(e) {
				return e
			}
		}
		select {
		case <-wake:
		case <-deadline:
			n.fatalf("no awaited event within %v", yjsNodeWait)
		}
		select {
		case <-n.done:
			if len(n.Events()) == seen {
				n.fatalf("exited without the awaited event")
			}
		default:
		}
	}
}

// WaitSynced waits until the client first synced with the server.
func (n *yjsNode) WaitSynced() {
	n.t.Helper()
	n.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "synced" })
}

// WaitText waits until the text "t" reads want.
func (n *yjsNode) WaitText(want string) {
	n.t.Helper()
	var got string
	n.waitUntil(func() bool { got = n.Text(); return got == want },
		func() string { return fmt.Sprintf("text %q (have %q)", want, got) })
}

// WaitUntil waits until cond holds, checking it on every event of the client and every
// yjsNodePoll; what names the condition in the failure message.
func (n *yjsNode) WaitUntil(what string, cond func() bool) {
	n.t.Helper()
	n.waitUntil(cond, func() string { return what })
}

func (n *yjsNode) waitUntil(cond func() bool, what func() string) {
	n.t.Helper()
	deadline := time.After(yjsNodeWait)
	tick := time.NewTicker(yjsNodePoll)
	defer tick.Stop()
	for {
		n.mu.Lock()
		wake := n.wake
		n.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-wake:
		case <-tick.C:
		case <-deadline:
			n.fatalf("gave up after %v waiting for %s", yjsNodeWait, what())
		}
	}
}
