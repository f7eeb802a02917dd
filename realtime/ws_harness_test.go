package realtime_test

// A harness for the WebSocket protocol (PROTOCOL.md §4), written against the wire only: whole
// replicas started in-process on one database, a REST helper, and a test client that keeps every
// subscription's state as the server describes it and checks the ordering rules as it reads.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/app"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/protocol"
)

// wsSecret signs every token of these tests.
const wsSecret = "ws-test-secret"

// wsWait bounds every wait for something the server should send; generous, because the race
// detector and a parallel suite slow everything down, and a passing test never waits this long.
const wsWait = 15 * time.Second

// ---------------------------------------------------------------------------------------------
// Replicas

// wsCluster is N replicas sharing one database.
type wsCluster struct {
	t        *testing.T
	db       testdb.DB
	env      map[string]string // settings over the tests' defaults
	replicas []*wsReplica
}

// wsReplica is one server.Run in-process.
type wsReplica struct {
	t      *testing.T
	addr   string
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startCluster starts n replicas on a database of the test's own; they are stopped, and must
// return nil, when the test ends.
func startCluster(t *testing.T, n int) *wsCluster {
	t.Helper()
	return startClusterWith(t, n, nil)
}

// startClusterWith is startCluster with settings of its own over the tests' defaults.
func startClusterWith(t *testing.T, n int, env map[string]string) *wsCluster {
	t.Helper()
	c := &wsCluster{t: t, db: testdb.New(t), env: env}
	for range n {
		c.replicas = append(c.replicas, c.startReplica())
	}
	return c
}

func (c *wsCluster) startReplica() *wsReplica {
	t := c.t
	t.Helper()
	dataDir := t.TempDir()
	cfg, err := app.LoadConfig(func(k string) string {
		if v, ok := c.env[k]; ok {
			return v
		}
		return map[string]string{
			"DATABASE_URL":          c.db.URL,
			"RECORDROOM_ADDR":       "127.0.0.1:0",
			"RECORDROOM_JWT_SECRET": wsSecret,
			"RECORDROOM_DATA_DIR":   dataDir,
			// The tests write faster than a person, from one address: the limits have tests of
			// their own.
			"RECORDROOM_RATE_MUTATIONS": "0", "RECORDROOM_MAX_SOCKETS_PER_IP": "0",
		}[k]
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &wsReplica{t: t, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		r.done <- app.Run(ctx, cfg, app.Options{
			Logger:  slog.New(slog.NewJSONHandler(io.Discard, nil)),
			OnReady: func(addr string) { ready <- addr },
		})
	}()
	t.Cleanup(r.Stop)
	select {
	case r.addr = <-ready:
	case err := <-r.done:
		r.done <- err
		t.Fatalf("replica stopped while starting: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("replica did not start")
	}
	// Ready means the change listener is LISTENing: before that, changes would be missed by
	// design (and caught up on connect), which is not what the tests want to race against.
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + r.addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, wsWait, 10*time.Millisecond, "replica never became ready")
	return r
}

// Stop cancels the replica and requires Run to return nil promptly; it may be called again.
func (r *wsReplica) Stop() {
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				r.t.Errorf("replica %s: Run returned %v", r.addr, err)
			}
		case <-time.After(app.ShutdownTimeout + 10*time.Second):
			r.t.Errorf("replica %s: Run did not return after cancel", r.addr)
		}
	})
}

// token mints a valid token for user.
func wsToken(t testing.TB, user string) string {
	t.Helper()
	tok, err := auth.MintHS256([]byte(wsSecret), auth.Identity{UserID: user, Email: user + "@example.org"}, time.Hour, time.Now())
	require.NoError(t, err)
	return tok
}

// ---------------------------------------------------------------------------------------------
// REST

// restResponse is an HTTP answer with its body.
type restResponse struct {
	Status int
	Body   []byte
	Header http.Header
}

// Code is the error code of an error answer.
func (r restResponse) Code() string {
	var e protocol.ErrorBody
	if json.Unmarshal(r.Body, &e) != nil || e.Error == nil {
		return ""
	}
	return string(e.Error.Code)
}

// tryREST sends a request as user; body is marshalled unless it is a string or []byte. It never
// fails the test, so writer goroutines may use it.
func (r *wsReplica) tryREST(user, method, path string, body any, headers ...string) (restResponse, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return restResponse{}, err
		}
		rd = bytes.NewReader(j)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+r.addr+path, rd)
	if err != nil {
		return restResponse{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+wsToken(r.t, user))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return restResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return restResponse{}, err
	}
	return restResponse{Status: resp.StatusCode, Body: b, Header: resp.Header}, nil
}

// rest sends a request and requires the status.
func (r *wsReplica) rest(t *testing.T, status int, user, method, path string, body any, headers ...string) restResponse {
	t.Helper()
	resp, err := r.tryREST(user, method, path, body, headers...)
	require.NoError(t, err, "%s %s", method, path)
	require.Equal(t, status, resp.Status, "%s %s as %q: %s", method, path, user, resp.Body)
	return resp
}

// setSchema makes user (who must be the room's admin, or its first visitor) set the schema.
func (r *wsReplica) setSchema(t *testing.T, user, room string, schema any) {
	t.Helper()
	r.rest(t, http.StatusOK, user, http.MethodPut, "/v1/rooms/"+room+"/schema", schema)
}

// join makes user access the room (the first one becomes its admin).
func (r *wsReplica) join(t *testing.T, user, room string) {
	t.Helper()
	r.rest(t, http.StatusOK, user, http.MethodGet, "/v1/rooms/"+room+"/me", nil)
}

// setRole makes admin change user's role.
func (r *wsReplica) setRole(t *testing.T, admin, room, user, role string) {
	t.Helper()
	r.rest(t, http.StatusOK, admin, http.MethodPatch, "/v1/rooms/"+room+"/users/"+user, map[string]string{"role": role})
}

// restCreate creates a record over REST.
func (r *wsReplica) restCreate(t *testing.T, user, room, coll, id string, data any) wsRecord {
	t.Helper()
	resp := r.rest(t, http.StatusCreated, user, http.MethodPost, "/v1/rooms/"+room+"/collections/"+coll+"/records",
		map[string]any{"id": id, "data": data})
	var rec wsRecord
	require.NoError(t, json.Unmarshal(resp.Body, &rec))
	return rec
}

// restPut upserts a record over REST.
func (r *wsReplica) restPut(t *testing.T, user, room, coll, id string, data any, replace bool) wsRecord {
	t.Helper()
	resp := r.rest(t, http.StatusOK, user, http.MethodPut, "/v1/rooms/"+room+"/collections/"+coll+"/records/"+id,
		map[string]any{"data": data, "replace": replace})
	var rec wsRecord
	require.NoError(t, json.Unmarshal(resp.Body, &rec))
	return rec
}

// restRemove removes a record over REST.
func (r *wsReplica) restRemove(t *testing.T, user, room, coll, id string) {
	t.Helper()
	r.rest(t, http.StatusNoContent, user, http.MethodDelete, "/v1/rooms/"+room+"/collections/"+coll+"/records/"+id, nil)
}

// queryPath is the REST list path of a subscription's query.
func queryPath(room string, spec subSpec) string {
	v := url.Values{}
	if spec.Where != nil {
		v.Set("where", string(mustJSON(spec.Where)))
	}
	if spec.OrderBy != nil {
		v.Set("orderBy", string(mustJSON(spec.OrderBy)))
	}
	if spec.Limit > 0 {
		v.Set("limit", strconv.Itoa(spec.Limit))
	}
	return "/v1/rooms/" + room + "/collections/" + spec.Collection + "/records?" + v.Encode()
}

// tryQuery lists what spec selects for user over REST: the first page, which is the whole
// result for a limit, and for these tests' small collections without one.
func (r *wsReplica) tryQuery(user, room string, spec subSpec) ([]wsRecord, restResponse, error) {
	resp, err := r.tryREST(user, http.MethodGet, queryPath(room, spec), nil)
	if err != nil || resp.Status != http.StatusOK {
		return nil, resp, err
	}
	var page protocol.RecordPage
	if err := json.Unmarshal(resp.Body, &page); err != nil {
		return nil, resp, err
	}
	if page.Next != "" && spec.Limit == 0 {
		return nil, resp, errors.New("the result has more than one page: the test's collections are meant to be small")
	}
	return page.Records, resp, nil
}

// query is tryQuery that requires success.
func (r *wsReplica) query(t *testing.T, user, room string, spec subSpec) []wsRecord {
	t.Helper()
	recs, resp, err := r.tryQuery(user, room, spec)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.Status, "%s: %s", queryPath(room, spec), resp.Body)
	return recs
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// ---------------------------------------------------------------------------------------------
// Messages

// wsRecord is a record as the wire carries it (PROTOCOL.md §3); system collections' records have
// only id and data.
type wsRecord = protocol.Record

// wsMsg is any server message, with what the harness adds.
type wsMsg struct {
	protocol.ServerMessage

	// Seq numbers the messages of one connection from 1, in the order received.
	Seq int `json:"-"`
	// Raw is the frame as received.
	Raw json.RawMessage `json:"-"`
}

// subSpec is what a subscription asks for.
type subSpec struct {
	Collection string
	Where      any
	OrderBy    any
	Limit      int
}

// windowed reports whether records may enter or leave the subscription for reasons other than
// their own change (a limit window).
func (s subSpec) windowed() bool { return s.Limit > 0 }

// subStatus is where a subscription is in its life.
type subStatus int

const (
	subPending      subStatus = iota // subscribe sent, no snapshot yet
	subActive                        // snapshot received
	subEnded                         // an error for it arrived
	subUnsubscribed                  // the client unsubscribed
)

func (s subStatus) String() string {
	return [...]string{"pending", "active", "ended", "unsubscribed"}[s]
}

// subState is the client's view of one subscription.
type subState struct {
	spec   subSpec
	gen    int // subscribe messages sent for this sub id
	status subStatus
	err    *wsMsg // the error that ended it
	// errPending: the error arrived while a replacing subscribe was pending, so it may be the
	// replaced subscription's (the wire cannot tell): a snapshot after it says it was.
	errPending bool
	replacing  bool                // the pending subscribe replaces a live one
	records    map[string]wsRecord // id → record, as the server describes the result
	order      []string            // the snapshot's order
}

// recordKey identifies one incarnation of a record in one subscription: a record removed and
// created again with the same id starts again at version 1 with a new createdAt.
type recordKey struct{ sub, collection, id, createdAt string }

// mutation is a create, put or remove the client sent with a ref, for the read-your-writes check.
type mutation struct {
	ref      string
	kind     string // create, put, remove
	coll, id string
	subs     map[string]int       // sub id → gen, of the subscriptions active when it was sent
	before   map[string]*wsRecord // sub id → the record (kind remove: the id) in that sub at send
	acked    bool
	ackSeq   int
	ackedRec *wsRecord
}

// ---------------------------------------------------------------------------------------------
// Client

// wsClient is a test client: one connection, a reader goroutine that applies what the server
// sends, and checks of the ordering rules (versions only grow, read-your-writes) as it goes.
type wsClient struct {
	t    *testing.T
	name string
	conn *websocket.Conn

	writeMu sync.Mutex

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever anything is received
	msgs       []wsMsg
	hello      *wsMsg
	subs       map[string]*subState
	replies    map[string]wsMsg // ref → ack, pong or error
	errs       []wsMsg          // every error message
	versions   map[recordKey]int64
	mutations  map[string]*mutation
	violations []string
	closed     bool
	closeCode  int
	closeText  string
	readErr    error
	refs       int
	log        []string // "> sent" and "< received" frames, in order

	readerDone chan struct{}
}

// dialWS dials the room's WebSocket with token in the query; a nil header means none.
func dialWS(addr, room, token string, header http.Header) (*websocket.Conn, *http.Response, error) {
	u := "ws://" + addr + "/v1/rooms/" + url.PathEscape(room) + "/ws"
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	d := websocket.Dialer{HandshakeTimeout: wsWait}
	return d.Dial(u, header)
}

// connect opens a client for user on replica r and waits for its hello.
func (r *wsReplica) connect(t *testing.T, user, room string) *wsClient {
	t.Helper()
	return r.connectToken(t, user, room, wsToken(t, user))
}

// connectAs is connect with a name for failure messages.
func (r *wsReplica) connectAs(t *testing.T, user, name, room string) *wsClient {
	t.Helper()
	return r.connectToken(t, name, room, wsToken(t, user))
}

// connectToken opens a client with the given token (named name in failure messages).
func (r *wsReplica) connectToken(t *testing.T, name, room, token string) *wsClient {
	t.Helper()
	conn, resp, err := dialWS(r.addr, room, token, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	require.NoError(t, err, "dial %s as %s", r.addr, name)
	c := newWSClient(t, name, conn)
	c.WaitHello()
	return c
}

// newWSClient wraps conn and starts its reader; the connection is closed when the test ends.
// expectSubs are subscriptions already requested on conn, raw.
func newWSClient(t *testing.T, name string, conn *websocket.Conn, expectSubs ...string) *wsClient {
	c := &wsClient{
		t: t, name: name, conn: conn,
		changed:    make(chan struct{}),
		subs:       map[string]*subState{},
		replies:    map[string]wsMsg{},
		versions:   map[recordKey]int64{},
		mutations:  map[string]*mutation{},
		readerDone: make(chan struct{}),
	}
	for _, sub := range expectSubs {
		c.subs[sub] = &subState{gen: 1, status: subPending}
	}
	go c.read()
	t.Cleanup(func() {
		c.Close()
		c.mu.Lock()
		defer c.mu.Unlock()
		if dir := os.Getenv("RECORDROOM_WS_DUMP"); dir != "" && t.Failed() {
			c.dump(dir)
		}
		for _, v := range c.violations {
			t.Errorf("%s: %s", c.name, v)
		}
	})
	return c
}

// dump writes what the client sent (subscribes and mutations) and received to a file in dir, for
// debugging a failure (RECORDROOM_WS_DUMP=dir). Callers hold c.mu.
func (c *wsClient) dump(dir string) {
	var b strings.Builder
	for _, l := range c.log {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(c.t.Name() + "-" + c.name)
	_ = os.WriteFile(dir+"/"+name+".log", []byte(b.String()), 0o644)
}

// violate records a broken protocol rule; the test fails at its end (or at RequireNoViolations).
// Callers hold c.mu.
func (c *wsClient) violate(format string, args ...any) {
	c.violations = append(c.violations, fmt.Sprintf(format, args...))
}

// notify wakes every waiter. Callers hold c.mu.
func (c *wsClient) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *wsClient) read() {
	defer close(c.readerDone)
	for {
		typ, data, err := c.conn.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.closed = true
			c.readErr = err
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.closeCode, c.closeText = ce.Code, ce.Text
			}
			c.notify()
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		if typ != websocket.TextMessage {
			c.violate("a %d frame arrived; JSON travels in text frames", typ)
		} else {
			c.receive(data)
		}
		c.notify()
		c.mu.Unlock()
	}
}

// receive applies one server message. Callers hold c.mu.
func (c *wsClient) receive(data []byte) {
	var m wsMsg
	if err := json.Unmarshal(data, &m); err != nil {
		c.violate("unparsable server message %.200s: %v", data, err)
		return
	}
	m.Seq = len(c.msgs) + 1
	m.Raw = data
	c.log = append(c.log, fmt.Sprintf("< #%d %.300s", m.Seq, data))
	if m.Type == "" {
		c.violate("server message without type: %.200s", data)
	}
	switch m.Type {
	case "hello":
		if c.hello != nil {
			c.violate("a second hello: %.200s", data)
		}
		if len(c.msgs) != 0 {
			c.violate("hello is not the first message")
		}
		c.hello = &m
	case "snapshot":
		c.applySnapshot(m)
	case "changes":
		c.applyChanges(m)
	case "ack", "pong":
		c.reply(m)
	case "error":
		c.errs = append(c.errs, m)
		if m.Ref != "" {
			c.reply(m)
		}
		if m.Sub != "" {
			if s := c.subs[m.Sub]; s != nil && (s.status == subPending || s.status == subActive) {
				s.errPending = s.status == subPending && s.replacing
				s.status = subEnded
				s.err = &m
			} else if s == nil {
				c.violate("error for unknown subscription %q: %.200s", m.Sub, data)
			}
		}
	default:
		c.violate("unknown message type %q: %.200s", m.Type, data)
	}
	if m.Type != "hello" && c.hello == nil {
		c.violate("%s arrived before hello", m.Type)
	}
	c.msgs = append(c.msgs, m)
}

func (c *wsClient) reply(m wsMsg) {
	if _, dup := c.replies[m.Ref]; dup {
		c.violate("a second reply for ref %q: %.200s", m.Ref, m.Raw)
		return
	}
	c.replies[m.Ref] = m
	if mu := c.mutations[m.Ref]; mu != nil && m.Type == "ack" {
		mu.acked = true
		mu.ackSeq = m.Seq
		mu.ackedRec = m.Record
		c.checkAckRYW(mu, m)
	}
}

// checkVersion enforces "per record, versions only grow" within each subscription (whatever
// left it and came back included). Across the subscriptions of one connection the server makes
// no such promise: one subscription may get a version before another gets the one before it.
// Callers hold c.mu.
func (c *wsClient) checkVersion(sub, coll string, r wsRecord, where string) {
	if r.Version == 0 { // system collections' records carry no version
		return
	}
	if r.Collection != "" {
		coll = r.Collection
	}
	k := recordKey{sub, coll, r.ID, protocol.FormatTime(r.CreatedAt.Time)}
	if last, ok := c.versions[k]; ok && r.Version < last {
		c.violate("version went back in sub %q: %s/%s from %d to %d (%s)", sub, coll, r.ID, last, r.Version, where)
		return
	}
	c.versions[k] = r.Version
}

func (c *wsClient) applySnapshot(m wsMsg) {
	s := c.subs[m.Sub]
	if s == nil {
		c.violate("snapshot for unknown subscription %q", m.Sub)
		return
	}
	switch s.status {
	case subUnsubscribed:
		return // in flight when we unsubscribed
	case subEnded:
		if !s.errPending {
			c.violate("snapshot for subscription %q after its error %s", m.Sub, s.err.Raw)
			return
		}
	}
	s.status = subActive
	s.err, s.errPending = nil, false
	s.records = map[string]wsRecord{}
	s.order = nil
	for _, r := range m.Records {
		if _, dup := s.records[r.ID]; dup {
			c.violate("snapshot for %q holds %s twice", m.Sub, r.ID)
		}
		c.checkVersion(m.Sub, s.spec.Collection, r, "snapshot")
		s.records[r.ID] = r
		s.order = append(s.order, r.ID)
	}
	if s.spec.Limit > 0 && len(m.Records) > s.spec.Limit {
		c.violate("snapshot for %q holds %d records, over its limit %d", m.Sub, len(m.Records), s.spec.Limit)
	}
}

func (c *wsClient) applyChanges(m wsMsg) {
	s := c.subs[m.Sub]
	if s == nil {
		c.violate("changes for unknown subscription %q", m.Sub)
		return
	}
	switch s.status {
	case subUnsubscribed:
		return
	case subEnded:
		c.violate("changes for subscription %q after its error %s: %.300s", m.Sub, s.err.Raw, m.Raw)
		return
	case subPending:
		if s.records == nil { // a replaced subscription's changes may still be in flight
			c.violate("changes for subscription %q before its snapshot: %.300s", m.Sub, m.Raw)
			return
		}
	}
	if len(m.Upserts) == 0 && len(m.Removes) == 0 {
		c.violate("empty changes for %q", m.Sub)
	}
	for _, id := range m.Removes {
		delete(s.records, id)
	}
	for _, r := range m.Upserts {
		c.checkVersion(m.Sub, s.spec.Collection, r, "changes")
		s.records[r.ID] = r
	}
	if s.status == subActive && s.spec.Limit > 0 && len(s.records) > s.spec.Limit {
		c.violate("subscription %q holds %d records after changes, over its limit %d", m.Sub, len(s.records), s.spec.Limit)
	}
}

// checkAckRYW checks, when a mutation's ack arrives, that every subscription without a limit
// that was active when it was sent already reflects it: a record it wrote is not older there,
// a record it removed is gone. Callers hold c.mu.
func (c *wsClient) checkAckRYW(mu *mutation, ack wsMsg) {
	for sub, gen := range mu.subs {
		s := c.subs[sub]
		if s == nil || s.gen != gen || s.status != subActive || s.spec.windowed() || s.spec.Collection != mu.coll {
			continue
		}
		switch mu.kind {
		case "remove":
			was := mu.before[sub]
			if was == nil {
				continue
			}
			if now, ok := s.records[mu.id]; ok && now.CreatedAt.Equal(was.CreatedAt.Time) && now.Version == was.Version {
				c.violate("read-your-writes: ack %q (remove %s) arrived while sub %q still held %s v%d",
					mu.ref, mu.id, sub, mu.id, now.Version)
			}
		default:
			if ack.Record == nil {
				continue
			}
			if now, ok := s.records[ack.Record.ID]; ok && now.CreatedAt.Equal(ack.Record.CreatedAt.Time) && now.Version < ack.Record.Version {
				c.violate("read-your-writes: ack %q (%s %s v%d) arrived while sub %q still held v%d",
					mu.ref, mu.kind, ack.Record.ID, ack.Record.Version, sub, now.Version)
			}
		}
	}
}

// CheckRYW checks what checkAckRYW cannot see at ack time: that a record a mutation wrote did not
// enter one of the sender's subscriptions (without a limit, active when it was sent) only after
// the mutation's ack. Call it once the connection is quiet.
func (c *wsClient) CheckRYW() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, mu := range c.mutations {
		if !mu.acked || mu.ackedRec == nil || mu.kind == "remove" {
			continue
		}
		rec := mu.ackedRec
		for _, m := range c.msgs[mu.ackSeq:] {
			if m.Type != "changes" {
				continue
			}
			gen, ok := mu.subs[m.Sub]
			s := c.subs[m.Sub]
			if !ok || s == nil || s.gen != gen || s.spec.windowed() || s.spec.Collection != mu.coll {
				continue
			}
			for _, u := range m.Upserts {
				if u.ID == rec.ID && u.CreatedAt.Equal(rec.CreatedAt.Time) && u.Version == rec.Version {
					c.violate("read-your-writes: %s %s v%d reached sub %q (message %d) after its ack %q (message %d)",
						mu.kind, rec.ID, rec.Version, m.Sub, m.Seq, mu.ref, mu.ackSeq)
				}
			}
		}
	}
}

// RequireNoViolations fails the test now if a protocol rule was broken.
func (c *wsClient) RequireNoViolations() {
	c.t.Helper()
	c.mu.Lock()
	v := append([]string(nil), c.violations...)
	c.violations = nil
	c.mu.Unlock()
	for _, s := range v {
		c.t.Errorf("%s: %s", c.name, s)
	}
	if len(v) > 0 {
		c.t.FailNow()
	}
}

// waitUntil waits, up to d, until cond (called with c.mu held) holds.
func (c *wsClient) waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ok := cond()
		ch := c.changed
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// describe summarises the connection for failure messages. Callers hold c.mu.
func (c *wsClient) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d messages received", c.name, len(c.msgs))
	if c.closed {
		fmt.Fprintf(&b, ", closed (code %d %q, %v)", c.closeCode, c.closeText, c.readErr)
	}
	from := max(0, len(c.msgs)-8)
	for _, m := range c.msgs[from:] {
		fmt.Fprintf(&b, "\n  #%d %.300s", m.Seq, m.Raw)
	}
	return b.String()
}

// require waits for cond or fails the test with what, and the last messages received.
func (c *wsClient) require(what string, cond func() bool) {
	c.t.Helper()
	if !c.waitUntil(wsWait, cond) {
		c.mu.Lock()
		d := c.describe()
		c.mu.Unlock()
		c.t.Fatalf("waiting for %s: %s", what, d)
	}
}

// send writes one JSON message.
func (c *wsClient) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.sendRaw(websocket.TextMessage, b)
}

// sendRaw writes one frame.
func (c *wsClient) sendRaw(typ int, b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	c.log = append(c.log, fmt.Sprintf("> %.300s", b))
	c.mu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(wsWait))
	return c.conn.WriteMessage(typ, b)
}

// Send writes one JSON message and requires it to be written.
func (c *wsClient) Send(v any) {
	c.t.Helper()
	require.NoError(c.t, c.send(v), "%s: send", c.name)
}

// SendRaw writes one frame and requires it to be written.
func (c *wsClient) SendRaw(typ int, b []byte) {
	c.t.Helper()
	require.NoError(c.t, c.sendRaw(typ, b), "%s: send", c.name)
}

// NewRef returns a ref not used before on this connection.
func (c *wsClient) NewRef(prefix string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refs++
	return fmt.Sprintf("%s%d", prefix, c.refs)
}

// WaitHello waits for the hello message.
func (c *wsClient) WaitHello() wsMsg {
	c.t.Helper()
	c.require("hello", func() bool { return c.hello != nil })
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.hello
}

// Subscribe sends a subscribe message (a where, orderBy or limit left nil or 0 is omitted).
func (c *wsClient) Subscribe(sub string, spec subSpec) {
	c.t.Helper()
	require.NoError(c.t, c.trySubscribe(sub, spec))
}

func (c *wsClient) trySubscribe(sub string, spec subSpec) error {
	m := protocol.ClientMessage{Type: protocol.TypeSubscribe, Sub: sub, Collection: spec.Collection}
	if spec.Where != nil {
		m.Where = mustJSON(spec.Where)
	}
	if spec.OrderBy != nil {
		m.OrderBy = mustJSON(spec.OrderBy)
	}
	if spec.Limit > 0 {
		m.Limit = &spec.Limit
	}
	c.mu.Lock()
	s := c.subs[sub]
	if s == nil {
		s = &subState{}
		c.subs[sub] = s
	}
	s.spec = spec
	s.gen++
	s.replacing = s.status == subActive || s.status == subPending
	s.status = subPending
	s.err, s.errPending = nil, false
	c.mu.Unlock()
	return c.send(m)
}

// ExpectSub registers sub as pending without sending anything (for a subscribe sent raw).
func (c *wsClient) ExpectSub(sub string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs[sub] = &subState{gen: 1, status: subPending}
}

// Unsubscribe sends an unsubscribe message; whatever arrives for sub afterwards is ignored.
func (c *wsClient) Unsubscribe(sub string) {
	c.t.Helper()
	c.mu.Lock()
	if s := c.subs[sub]; s != nil {
		s.status = subUnsubscribed
	}
	c.mu.Unlock()
	c.Send(map[string]any{"type": "unsubscribe", "sub": sub})
}

// WaitSnapshot waits for sub's snapshot and answers its records in the server's order.
func (c *wsClient) WaitSnapshot(sub string) []wsRecord {
	c.t.Helper()
	c.require("snapshot of "+sub, func() bool {
		s := c.subs[sub]
		return s != nil && s.status != subPending
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.subs[sub]
	if s.status != subActive {
		c.t.Fatalf("%s: subscription %s is %s, not active: %s", c.name, sub, s.status, describeErr(s.err))
	}
	out := make([]wsRecord, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.records[id])
	}
	return out
}

// SubscribeAndWait subscribes and waits for the snapshot.
func (c *wsClient) SubscribeAndWait(sub string, spec subSpec) []wsRecord {
	c.t.Helper()
	c.Subscribe(sub, spec)
	return c.WaitSnapshot(sub)
}

func describeErr(m *wsMsg) string {
	if m == nil {
		return "no error"
	}
	return string(m.Raw)
}

// State is a copy of sub's records by id.
func (c *wsClient) State(sub string) map[string]wsRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.subs[sub]
	if s == nil {
		return nil
	}
	out := make(map[string]wsRecord, len(s.records))
	for id, r := range s.records {
		out[id] = r
	}
	return out
}

// Status is sub's status and the error that ended it, if any.
func (c *wsClient) Status(sub string) (subStatus, *wsMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.subs[sub]
	if s == nil {
		return subUnsubscribed, nil
	}
	return s.status, s.err
}

// mutate sends a mutation with a ref, remembering what the read-your-writes check needs.
func (c *wsClient) mutate(kind, ref string, m protocol.ClientMessage) error {
	coll, id := m.Collection, m.ID
	c.mu.Lock()
	mu := &mutation{ref: ref, kind: kind, coll: coll, id: id,
		subs: map[string]int{}, before: map[string]*wsRecord{}}
	for name, s := range c.subs {
		if s.status == subActive {
			mu.subs[name] = s.gen
			if r, ok := s.records[id]; ok && id != "" {
				mu.before[name] = &r
			}
		}
	}
	if ref != "" {
		c.mutations[ref] = mu
	}
	c.mu.Unlock()
	return c.send(m)
}

// Create sends a create (id "" lets the server choose).
func (c *wsClient) Create(ref, coll, id string, data any) {
	c.t.Helper()
	require.NoError(c.t, c.tryCreate(ref, coll, id, data))
}

func (c *wsClient) tryCreate(ref, coll, id string, data any) error {
	m := protocol.ClientMessage{Type: protocol.TypeCreate, Ref: ref, Collection: coll, ID: id, Data: mustJSON(data)}
	return c.mutate("create", ref, m)
}

// Put sends a put; ifVersion < 0 leaves it out.
func (c *wsClient) Put(ref, coll, id string, data any, replace bool, ifVersion int64) {
	c.t.Helper()
	require.NoError(c.t, c.tryPut(ref, coll, id, data, replace, ifVersion))
}

func (c *wsClient) tryPut(ref, coll, id string, data any, replace bool, ifVersion int64) error {
	m := protocol.ClientMessage{Type: protocol.TypePut, Ref: ref, Collection: coll, ID: id, Data: mustJSON(data), Replace: replace}
	if ifVersion >= 0 {
		m.IfVersion = &ifVersion
	}
	return c.mutate("put", ref, m)
}

// Remove sends a remove.
func (c *wsClient) Remove(ref, coll, id string) {
	c.t.Helper()
	require.NoError(c.t, c.tryRemove(ref, coll, id))
}

func (c *wsClient) tryRemove(ref, coll, id string) error {
	m := protocol.ClientMessage{Type: protocol.TypeRemove, Ref: ref, Collection: coll, ID: id}
	return c.mutate("remove", ref, m)
}

// WaitReply waits for the ack, pong or error answering ref.
func (c *wsClient) WaitReply(ref string) wsMsg {
	c.t.Helper()
	c.require("a reply to "+ref, func() bool { _, ok := c.replies[ref]; return ok })
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.replies[ref]
}

// waitReply is WaitReply that does not fail the test (for goroutines).
func (c *wsClient) waitReply(ref string, d time.Duration) (wsMsg, bool) {
	var m wsMsg
	ok := c.waitUntil(d, func() bool {
		var ok bool
		m, ok = c.replies[ref]
		return ok || c.closed
	})
	if ok {
		c.mu.Lock()
		m, ok = c.replies[ref]
		c.mu.Unlock()
	}
	return m, ok
}

// WaitAck waits for ref's ack; an error instead fails the test.
func (c *wsClient) WaitAck(ref string) wsMsg {
	c.t.Helper()
	m := c.WaitReply(ref)
	if m.Type != "ack" {
		c.t.Fatalf("%s: want an ack for %s, got %s", c.name, ref, m.Raw)
	}
	return m
}

// WaitErrorRef waits for an error answering ref and requires its code (one of codes).
func (c *wsClient) WaitErrorRef(ref string, codes ...string) wsMsg {
	c.t.Helper()
	m := c.WaitReply(ref)
	if m.Type != "error" {
		c.t.Fatalf("%s: want an error for %s, got %s", c.name, ref, m.Raw)
	}
	if len(codes) > 0 {
		require.Contains(c.t, codes, string(m.Code), "%s: error for %s: %s", c.name, ref, m.Raw)
	}
	require.NotEmpty(c.t, m.Message, "an error says what went wrong: %s", m.Raw)
	return m
}

// WaitErrorSub waits for an error naming sub and requires its code (one of codes).
func (c *wsClient) WaitErrorSub(sub string, codes ...string) wsMsg {
	c.t.Helper()
	var m wsMsg
	c.require("an error for sub "+sub, func() bool {
		for _, e := range c.errs {
			if e.Sub == sub {
				m = e
				return true
			}
		}
		return false
	})
	if len(codes) > 0 {
		require.Contains(c.t, codes, string(m.Code), "%s: error for sub %s: %s", c.name, sub, m.Raw)
	}
	require.NotEmpty(c.t, m.Message, "an error says what went wrong: %s", m.Raw)
	return m
}

// WaitErrorAfter waits for an error without ref or sub that arrives after message seq.
func (c *wsClient) WaitErrorAfter(seq int, codes ...string) wsMsg {
	c.t.Helper()
	var m wsMsg
	c.require(fmt.Sprintf("an error after message %d", seq), func() bool {
		for _, e := range c.errs {
			if e.Seq > seq && e.Ref == "" && e.Sub == "" {
				m = e
				return true
			}
		}
		return false
	})
	if len(codes) > 0 {
		require.Contains(c.t, codes, string(m.Code), "%s: %s", c.name, m.Raw)
	}
	return m
}

// Ping sends a ping and waits for its pong: everything the server queued before has arrived.
func (c *wsClient) Ping() {
	c.t.Helper()
	ref := c.NewRef("ping")
	c.Send(map[string]any{"type": "ping", "ref": ref})
	m := c.WaitReply(ref)
	require.Equal(c.t, "pong", m.Type, "%s: %s", c.name, m.Raw)
}

// Seq is the number of messages received so far.
func (c *wsClient) Seq() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// Messages is a copy of the messages received after seq.
func (c *wsClient) Messages(after int) []wsMsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]wsMsg(nil), c.msgs[min(after, len(c.msgs)):]...)
}

// WaitClosed waits up to d for the server to close the connection and answers the close code
// (0 when it closed without a close frame).
func (c *wsClient) WaitClosed(d time.Duration) int {
	c.t.Helper()
	if !c.waitUntil(d, func() bool { return c.closed }) {
		c.mu.Lock()
		desc := c.describe()
		c.mu.Unlock()
		c.t.Fatalf("waiting for the server to close: %s", desc)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode
}

// Closed reports whether the connection ended, and its close code.
func (c *wsClient) Closed() (bool, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed, c.closeCode
}

// Close closes the connection (politely if it is still open) and waits for the reader to end.
func (c *wsClient) Close() {
	c.writeMu.Lock()
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	c.writeMu.Unlock()
	select {
	case <-c.readerDone:
	case <-time.After(2 * time.Second):
	}
	_ = c.conn.Close()
	<-c.readerDone
}

// ---------------------------------------------------------------------------------------------
// Comparing with REST

// recordsDiff compares a subscription's state with a REST result by ids, versions and data, and
// answers "" when they agree.
func recordsDiff(got map[string]wsRecord, want []wsRecord) string {
	var diffs []string
	seen := map[string]bool{}
	for _, w := range want {
		seen[w.ID] = true
		g, ok := got[w.ID]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("missing %s v%d", w.ID, w.Version))
		case g.Version != w.Version:
			diffs = append(diffs, fmt.Sprintf("%s: v%d, REST has v%d", w.ID, g.Version, w.Version))
		case !g.CreatedAt.Equal(w.CreatedAt.Time):
			diffs = append(diffs, fmt.Sprintf("%s: createdAt %s, REST has %s", w.ID, g.CreatedAt, w.CreatedAt))
		case !jsonEqual(g.Data, w.Data):
			diffs = append(diffs, fmt.Sprintf("%s v%d: data %s, REST has %s", w.ID, g.Version, g.Data, w.Data))
		}
	}
	var extra []string
	for id, g := range got {
		if !seen[id] {
			extra = append(extra, fmt.Sprintf("%s v%d (userId %s)", id, g.Version, g.UserID))
		}
	}
	sort.Strings(extra)
	for _, e := range extra {
		diffs = append(diffs, "extra "+e)
	}
	return strings.Join(diffs, "; ")
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

func ids(recs []wsRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// requireMatchesREST waits until sub's state equals what REST answers user for the same query.
func (c *wsClient) requireMatchesREST(r *wsReplica, user, room, sub string) {
	c.t.Helper()
	c.mu.Lock()
	spec := c.subs[sub].spec
	c.mu.Unlock()
	want := r.query(c.t, user, room, spec)
	var diff string
	if !c.waitUntil(wsWait, func() bool {
		diff = recordsDiff(c.subs[sub].records, want)
		return diff == ""
	}) {
		c.t.Fatalf("%s: sub %s differs from REST: %s", c.name, sub, diff)
	}
}

// envInt reads an integer from the environment, or def.
func envInt(name string, def int64) int64 {
	if s := os.Getenv(name); s != "" {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v
		}
	}
	return def
}
