package realtime_test

// Tests of the WebSocket protocol (PROTOCOL.md §4) against whole replicas, over the wire only.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
)

const room = "r1"

// testSchema is the schema most tests use: tasks (member/member, any data),
// strict (typed fields), pubc (read viewer), memc (read member), own (owner/owner).
var testSchema = map[string]any{"collections": map[string]any{
	"tasks": map[string]any{},
	"strict": map[string]any{
		"fields": map[string]any{
			"title": map[string]any{"type": "string", "required": true},
			"n":     map[string]any{"type": "integer"},
		},
		"additionalFields": false,
	},
	"pubc": map[string]any{"access": map[string]any{"read": "viewer", "write": "member"}},
	"memc": map[string]any{"access": map[string]any{"read": "member", "write": "member"}},
	"own":  map[string]any{"access": map[string]any{"read": "owner", "write": "owner"}},
}}

// setup starts n replicas, makes alice the room's admin with testSchema, and lets others join.
func setup(t *testing.T, n int, others ...string) *wsCluster {
	t.Helper()
	c := startCluster(t, n)
	c.replicas[0].setSchema(t, "alice", room, testSchema)
	for _, u := range others {
		c.replicas[0].join(t, u, room)
	}
	return c
}

// findChange finds the first changes message for sub holding an upsert of id at version (0: any)
// or, with remove, a remove of id; it answers its Seq or 0.
func findChange(msgs []wsMsg, sub, id string, version int64, remove bool) int {
	for _, m := range msgs {
		if m.Type != "changes" || m.Sub != sub {
			continue
		}
		if remove {
			for _, r := range m.Removes {
				if r == id {
					return m.Seq
				}
			}
			continue
		}
		for _, u := range m.Upserts {
			if u.ID == id && (version == 0 || u.Version == version) {
				return m.Seq
			}
		}
	}
	return 0
}

// requireBeforeAck requires that sub's change (an upsert of id at version, or its remove)
// arrived before ack.
func requireBeforeAck(t *testing.T, c *wsClient, ack wsMsg, sub, id string, version int64, remove bool) {
	t.Helper()
	seq := findChange(c.Messages(0), sub, id, version, remove)
	what := fmt.Sprintf("upsert %s v%d", id, version)
	if remove {
		what = "remove " + id
	}
	require.NotZero(t, seq, "read-your-writes: sub %s never got %s (ack %s is message %d)", sub, what, ack.Ref, ack.Seq)
	require.Less(t, seq, ack.Seq, "read-your-writes: sub %s got %s after ack %s", sub, what, ack.Ref)
}

func TestWSHelloAndPing(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2)

	// The first visitor, over WebSocket, is the room's admin.
	a := c.replicas[0].connect(t, "alice", room)
	h := a.WaitHello()
	require.Equal(t, "hello", h.Type)
	require.Equal(t, 1, h.Protocol)
	require.Equal(t, room, h.Room)
	require.Equal(t, "alice", *h.User.ID)
	require.Equal(t, "admin", h.User.Role)
	require.NotEmpty(t, h.Replica)
	require.Equal(t, 1, h.Seq, "hello comes first")

	// The Authorization header works as well as ?token=, and a later user is a member.
	conn, resp, err := dialWS(c.replicas[1].addr, room, "", http.Header{"Authorization": {"Bearer " + wsToken(t, "bob")}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	b := newWSClient(t, "bob", conn)
	hb := b.WaitHello()
	require.Equal(t, "bob", *hb.User.ID)
	require.Equal(t, "member", hb.User.Role)
	require.NotEmpty(t, hb.Replica)
	require.NotEqual(t, h.Replica, hb.Replica, "each replica names itself")

	for _, cl := range []*wsClient{a, b} {
		cl.Send(map[string]any{"type": "ping", "ref": "p1"})
		m := cl.WaitReply("p1")
		require.Equal(t, "pong", m.Type)
		require.Equal(t, "p1", m.Ref)
		cl.Ping()
		cl.RequireNoViolations()
	}
}

func TestWSUpgradeNeedsAValidToken(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 1)
	addr := c.replicas[0].addr
	otherSecret, err := auth.MintHS256([]byte("not-the-secret"), auth.Identity{UserID: "alice"}, time.Hour, time.Now())
	require.NoError(t, err)
	expired, err := auth.MintHS256([]byte(wsSecret), auth.Identity{UserID: "alice"}, time.Hour, time.Now().Add(-2*time.Hour))
	require.NoError(t, err)
	for name, dial := range map[string]func() (*websocket.Conn, *http.Response, error){
		"no token":      func() (*websocket.Conn, *http.Response, error) { return dialWS(addr, room, "", nil) },
		"garbage token": func() (*websocket.Conn, *http.Response, error) { return dialWS(addr, room, "garbage", nil) },
		"other secret":  func() (*websocket.Conn, *http.Response, error) { return dialWS(addr, room, otherSecret, nil) },
		"expired token": func() (*websocket.Conn, *http.Response, error) { return dialWS(addr, room, expired, nil) },
		"bad bearer": func() (*websocket.Conn, *http.Response, error) {
			return dialWS(addr, room, "", http.Header{"Authorization": {"Bearer nope"}})
		},
	} {
		conn, resp, err := dial()
		if conn != nil {
			conn.Close()
			t.Errorf("%s: the upgrade succeeded", name)
			continue
		}
		require.ErrorIs(t, err, websocket.ErrBadHandshake, name)
		require.NotNil(t, resp, name)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}
	// A bad room id is refused too, before any upgrade.
	conn, resp, err := dialWS(addr, "bad room!", wsToken(t, "alice"), nil)
	if conn != nil {
		conn.Close()
	}
	require.Error(t, err)
	if resp != nil {
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}
}

func TestWSSnapshotFollowsWhereOrderByLimit(t *testing.T) {
	t.Parallel()
	c := setup(t, 1)
	r := c.replicas[0]
	colors := []string{"red", "green", "blue"}
	for i := range 12 {
		r.restCreate(t, "alice", room, "tasks", fmt.Sprintf("t%02d", i),
			map[string]any{"n": i % 6, "c": colors[i%3], "title": fmt.Sprintf("task %d", i)})
	}
	a := r.connect(t, "alice", room)

	specs := map[string]subSpec{
		"window": {Collection: "tasks", Where: map[string]any{"n": map[string]any{"$gte": 2}},
			OrderBy: []map[string]any{{"field": "n", "dir": "desc"}}, Limit: 5},
		"red":   {Collection: "tasks", Where: map[string]any{"c": "red"}},
		"all":   {Collection: "tasks"},
		"or":    {Collection: "tasks", Where: map[string]any{"$or": []any{map[string]any{"c": "green"}, map[string]any{"n": 0}}}},
		"none":  {Collection: "tasks", Where: map[string]any{"c": "purple"}},
		"multi": {Collection: "tasks", OrderBy: []map[string]any{{"field": "c"}, {"field": "n", "dir": "desc"}}, Limit: 4},
	}
	for sub, spec := range specs {
		got := a.SubscribeAndWait(sub, spec)
		want := r.query(t, "alice", room, spec)
		require.Equal(t, ids(want), ids(got), "snapshot of %s: same records in the same order as REST", sub)
		for i := range want {
			require.Equal(t, want[i].Version, got[i].Version)
			require.JSONEq(t, string(want[i].Data), string(got[i].Data))
			require.Equal(t, "tasks", got[i].Collection)
			require.Equal(t, "alice", got[i].UserID)
			require.NotEmpty(t, got[i].CreatedAt)
			require.NotEmpty(t, got[i].UpdatedAt)
		}
	}
	require.Empty(t, a.State("none"))

	// Changes to a limit window from the same socket are exact at the ack: the record that
	// enters, the one pushed out, and the refill after a removal, all arrive before the ack.
	atAck := func(ref string) wsMsg {
		t.Helper()
		ack := a.WaitAck(ref)
		for sub, spec := range specs {
			require.Empty(t, recordsDiff(a.State(sub), r.query(t, "alice", room, spec)), "sub %s at ack %s", sub, ref)
		}
		return ack
	}
	a.Create("m1", "tasks", "top", map[string]any{"n": 100, "c": "red"})
	ack := atAck("m1")
	requireBeforeAck(t, a, ack, "window", "top", 1, false)
	requireBeforeAck(t, a, ack, "red", "top", 1, false)

	a.Remove("m2", "tasks", "top") // the window refills from below
	atAck("m2")
	a.Put("m3", "tasks", "t00", map[string]any{"n": 50}, false, -1) // t00 (n 0) jumps into the window
	ack = atAck("m3")
	requireBeforeAck(t, a, ack, "window", "t00", 2, false)
	a.Put("m4", "tasks", "t00", map[string]any{"n": 1}, false, -1) // and out again
	ack = atAck("m4")
	requireBeforeAck(t, a, ack, "window", "t00", 0, true)
	a.Put("m5", "tasks", "t05", map[string]any{"c": "red"}, false, -1) // t05 (n 5, blue) turns red
	ack = atAck("m5")
	requireBeforeAck(t, a, ack, "red", "t05", 2, false)
	a.CheckRYW()
	a.RequireNoViolations()
}

func TestWSChangesFromEverySource(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob", "carol")
	r0, r1 := c.replicas[0], c.replicas[1]
	a := r0.connect(t, "alice", room)
	b := r0.connect(t, "bob", room)    // same replica, another socket
	cc := r1.connect(t, "carol", room) // the other replica
	all := subSpec{Collection: "tasks"}
	red := subSpec{Collection: "tasks", Where: map[string]any{"c": "red"}}
	a.SubscribeAndWait("all", all)
	a.SubscribeAndWait("red", red)
	cc.SubscribeAndWait("all", all)

	// From the same socket: read-your-writes for create, merge put, replace put and remove.
	a.Create("c1", "tasks", "t1", map[string]any{"c": "red", "title": "one"})
	ack := a.WaitAck("c1")
	require.Equal(t, "t1", ack.Record.ID)
	require.Equal(t, int64(1), ack.Record.Version)
	require.Equal(t, "alice", ack.Record.UserID)
	requireBeforeAck(t, a, ack, "all", "t1", 1, false)
	requireBeforeAck(t, a, ack, "red", "t1", 1, false)

	a.Put("p1", "tasks", "t1", map[string]any{"c": "blue"}, false, -1)
	ack = a.WaitAck("p1")
	require.Equal(t, int64(2), ack.Record.Version)
	require.JSONEq(t, `{"c":"blue","title":"one"}`, string(ack.Record.Data), "put merges top-level fields")
	requireBeforeAck(t, a, ack, "all", "t1", 2, false)
	requireBeforeAck(t, a, ack, "red", "t1", 0, true)

	a.Put("p2", "tasks", "t1", map[string]any{"x": 1}, true, 2)
	ack = a.WaitAck("p2")
	require.Equal(t, int64(3), ack.Record.Version)
	require.JSONEq(t, `{"x":1}`, string(ack.Record.Data), "replace drops the other fields")
	requireBeforeAck(t, a, ack, "all", "t1", 3, false)
	require.JSONEq(t, `{"x":1}`, string(a.State("all")["t1"].Data))

	a.Put("p3", "tasks", "t1", map[string]any{"x": 2}, false, 2) // stale ifVersion
	a.WaitErrorRef("p3", "conflict")
	a.Create("c2", "tasks", "t1", map[string]any{}) // the id exists
	a.WaitErrorRef("c2", "conflict")

	a.Remove("d1", "tasks", "t1")
	ack = a.WaitAck("d1")
	require.Equal(t, "t1", ack.ID)
	requireBeforeAck(t, a, ack, "all", "t1", 0, true)
	a.Remove("d2", "tasks", "t1")
	a.WaitErrorRef("d2", "not_found")

	// A put to a missing id creates it; a create without an id gets one from the server.
	a.Put("p4", "tasks", "t9", map[string]any{"c": "red"}, false, -1)
	ack = a.WaitAck("p4")
	require.Equal(t, int64(1), ack.Record.Version)
	requireBeforeAck(t, a, ack, "red", "t9", 1, false)
	a.Create("c3", "tasks", "", map[string]any{"c": "green"})
	ack = a.WaitAck("c3")
	require.NotEmpty(t, ack.Record.ID)
	requireBeforeAck(t, a, ack, "all", ack.Record.ID, 1, false)

	// Fire-and-forget: no ack, but the change arrives; its error arrives without a ref.
	seq := a.Seq()
	a.Create("", "tasks", "ff", map[string]any{"c": "red"})
	a.require("the fire-and-forget record", func() bool { _, ok := a.subs["red"].records["ff"]; return ok })
	a.Create("", "tasks", "ff", map[string]any{})
	a.WaitErrorAfter(seq, "conflict")
	for _, m := range a.Messages(seq) {
		require.NotEqual(t, "ack", m.Type, "a mutation without ref gets no ack: %s", m.Raw)
	}

	// From REST, on either replica.
	r1.restCreate(t, "bob", room, "tasks", "rest1", map[string]any{"c": "red"})
	r0.restPut(t, "carol", room, "tasks", "rest1", map[string]any{"n": 1}, false)
	// From another socket on the same replica.
	b.Create("b1", "tasks", "sock1", map[string]any{"c": "red"})
	b.WaitAck("b1")
	// From a socket on the other replica.
	cc.Create("x1", "tasks", "other1", map[string]any{"c": "red"})
	cc.WaitAck("x1")
	cc.Put("x2", "tasks", "other1", map[string]any{"c": "blue"}, false, -1)
	cc.WaitAck("x2")
	cc.Create("x3", "tasks", "other2", map[string]any{"c": "red"})
	cc.WaitAck("x3")
	cc.Remove("x4", "tasks", "other2")
	cc.WaitAck("x4")
	r1.restRemove(t, "bob", room, "tasks", "t9")

	for _, sub := range []string{"all", "red"} {
		a.requireMatchesREST(r1, "alice", room, sub)
	}
	cc.requireMatchesREST(r0, "carol", room, "all")
	require.Equal(t, int64(2), a.State("all")["rest1"].Version)
	require.Equal(t, "bob", a.State("all")["rest1"].UserID)
	_, ok := a.State("red")["other1"]
	require.False(t, ok, "other1 left the red subscription")

	for _, cl := range []*wsClient{a, b, cc} {
		cl.CheckRYW()
		cl.RequireNoViolations()
	}
}

// A record that keeps entering and leaving a subscription through the sender's own writes,
// while others write too: the read-your-writes path and the listener's delivery of the same
// changes must not interleave into going back a version (resurrecting a record that left).
func TestWSOwnWritesInAndOutOfASubscription(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	r := c.replicas[0]
	in := subSpec{Collection: "tasks", Where: map[string]any{"k": map[string]any{"$exists": false}}}
	a := r.connect(t, "alice", room)
	a.SubscribeAndWait("in", in)
	a.SubscribeAndWait("all", subSpec{Collection: "tasks"})
	// Other sessions watching, and another writer, keep the listener busy.
	for i := range 4 {
		w := r.connect(t, "bob", room)
		w.SubscribeAndWait("in", in)
		w.SubscribeAndWait(fmt.Sprintf("w%d", i), subSpec{Collection: "tasks"})
	}
	b := r.connect(t, "bob", room)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	stopWriter := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopWriter()
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ref := fmt.Sprintf("b%d", i)
			if b.tryPut(ref, "tasks", fmt.Sprintf("b%d", i%5), map[string]any{"n": i}, false, -1) != nil {
				return
			}
			b.waitReply(ref, wsWait)
		}
	})
	for i := range 200 {
		// Two writes in a row without waiting: in, then out of "in".
		a.Put(fmt.Sprintf("m%d", 2*i), "tasks", fmt.Sprintf("t%d", i%3), map[string]any{"n": i}, true, -1)
		a.Put(fmt.Sprintf("m%d", 2*i+1), "tasks", fmt.Sprintf("t%d", i%3), map[string]any{"n": i, "k": "x"}, true, -1)
		a.WaitAck(fmt.Sprintf("m%d", 2*i+1))
	}
	stopWriter()
	a.Ping()
	a.requireMatchesREST(r, "alice", room, "in")
	a.requireMatchesREST(r, "alice", room, "all")
	a.CheckRYW()
	a.RequireNoViolations()
}

func TestWSBadFramesAreAnsweredAndTheConnectionLives(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	a := c.replicas[0].connect(t, "alice", room)
	a.SubscribeAndWait("ok", subSpec{Collection: "tasks"})

	type answer struct{ ref, sub string }
	cases := []struct {
		name  string
		frame string
		want  answer // where the error is addressed; both empty: neither
		codes []string
	}{
		{"not JSON", `not json{`, answer{}, []string{"bad_request"}},
		{"a JSON array", `[1,2]`, answer{}, []string{"bad_request"}},
		{"no type", `{"ref":"n1"}`, answer{ref: "n1"}, []string{"bad_request"}},
		{"unknown type", `{"type":"frobnicate","ref":"u1"}`, answer{ref: "u1"}, []string{"bad_request"}},
		{"mistyped ref", `{"type":"ping","ref":7}`, answer{}, []string{"bad_request"}},
		{"subscribe without collection", `{"type":"subscribe","sub":"s1"}`, answer{sub: "s1"}, []string{"bad_request"}},
		{"subscribe without sub", `{"type":"subscribe","collection":"tasks"}`, answer{}, []string{"bad_request"}},
		{"subscribe with a mistyped limit", `{"type":"subscribe","sub":"s2","collection":"tasks","limit":"ten"}`, answer{sub: "s2"}, []string{"bad_request"}},
		{"subscribe with limit 0", `{"type":"subscribe","sub":"s3","collection":"tasks","limit":0}`, answer{sub: "s3"}, []string{"bad_request"}},
		{"subscribe with limit 10001", `{"type":"subscribe","sub":"s4","collection":"tasks","limit":10001}`, answer{sub: "s4"}, []string{"bad_request"}},
		{"subscribe with a mistyped where", `{"type":"subscribe","sub":"s5","collection":"tasks","where":[1]}`, answer{sub: "s5"}, []string{"bad_request"}},
		{"subscribe with an unknown operator", `{"type":"subscribe","sub":"s6","collection":"tasks","where":{"a":{"$bogus":1}}}`, answer{sub: "s6"}, []string{"bad_request"}},
		{"subscribe with a bad orderBy", `{"type":"subscribe","sub":"s7","collection":"tasks","orderBy":[{"field":"n","dir":"sideways"}]}`, answer{sub: "s7"}, []string{"bad_request"}},
		{"subscribe with four orderBy keys", `{"type":"subscribe","sub":"s8","collection":"tasks","orderBy":[{"field":"a"},{"field":"b"},{"field":"c"},{"field":"d"}]}`, answer{sub: "s8"}, []string{"bad_request"}},
		{"subscribe to an unknown collection", `{"type":"subscribe","sub":"s9","collection":"nope"}`, answer{sub: "s9"}, []string{"unknown_collection"}},
		{"subscribe to a bad collection name", `{"type":"subscribe","sub":"s10","collection":"a b"}`, answer{sub: "s10"}, []string{"bad_request"}},
		{"unsubscribe without sub", `{"type":"unsubscribe"}`, answer{}, []string{"bad_request"}},
		{"create without collection", `{"type":"create","ref":"c1","data":{}}`, answer{ref: "c1"}, []string{"bad_request"}},
		{"create with string data", `{"type":"create","ref":"c2","collection":"tasks","data":"str"}`, answer{ref: "c2"}, []string{"bad_request"}},
		{"create with a mistyped id", `{"type":"create","ref":"c3","collection":"tasks","id":5,"data":{}}`, answer{ref: "c3"}, []string{"bad_request"}},
		{"create with a bad id", `{"type":"create","ref":"c4","collection":"tasks","id":"a b","data":{}}`, answer{ref: "c4"}, []string{"bad_request"}},
		{"create in an unknown collection", `{"type":"create","ref":"c5","collection":"nope","data":{}}`, answer{ref: "c5"}, []string{"unknown_collection"}},
		{"create with invalid data", `{"type":"create","ref":"c6","collection":"strict","data":{"n":"x"}}`, answer{ref: "c6"}, []string{"invalid"}},
		{"put without id", `{"type":"put","ref":"p1","collection":"tasks","data":{}}`, answer{ref: "p1"}, []string{"bad_request"}},
		{"put with a mistyped replace", `{"type":"put","ref":"p2","collection":"tasks","id":"x","data":{},"replace":"yes"}`, answer{ref: "p2"}, []string{"bad_request"}},
		{"put with a mistyped ifVersion", `{"type":"put","ref":"p3","collection":"tasks","id":"x","data":{},"ifVersion":"3"}`, answer{ref: "p3"}, []string{"bad_request"}},
		{"remove without id", `{"type":"remove","ref":"d1","collection":"tasks"}`, answer{ref: "d1"}, []string{"bad_request"}},
		{"remove with a bad id", `{"type":"remove","ref":"d2","collection":"tasks","id":"a b"}`, answer{ref: "d2"}, []string{"bad_request"}},
		{"put with a bad id", `{"type":"put","ref":"p4","collection":"tasks","id":"a b","data":{}}`, answer{ref: "p4"}, []string{"bad_request"}},
		{"create in $users", `{"type":"create","ref":"w1","collection":"$users","data":{"role":"admin"}}`, answer{ref: "w1"}, []string{"forbidden", "bad_request"}},
		{"put in $users", `{"type":"put","ref":"w2","collection":"$users","id":"bob","data":{"role":"admin"}}`, answer{ref: "w2"}, []string{"forbidden", "bad_request"}},
		{"remove in $users", `{"type":"remove","ref":"w3","collection":"$users","id":"bob"}`, answer{ref: "w3"}, []string{"forbidden", "bad_request"}},
		{"data with a NUL", `{"type":"create","ref":"z2","collection":"tasks","data":{"a":["\u0000"]}}`, answer{ref: "z2"}, []string{"bad_request"}},
		{"data with a lone surrogate", `{"type":"put","ref":"z3","collection":"tasks","id":"x","data":{"a":"\udfff"}}`, answer{ref: "z3"}, []string{"bad_request"}},
		{"data with a huge exponent", `{"type":"create","ref":"z4","collection":"tasks","data":{"n":1e131071}}`, answer{ref: "z4"}, []string{"bad_request"}},
		{"deeply nested data", `{"type":"create","ref":"z1","collection":"tasks","data":` + strings.Repeat(`{"a":`, 80) + `1` + strings.Repeat(`}`, 81), answer{ref: "z1"}, []string{"bad_request"}},
	}
	for _, tc := range cases {
		if tc.want.sub != "" {
			a.ExpectSub(tc.want.sub)
		}
		seq := a.Seq()
		a.SendRaw(websocket.TextMessage, []byte(tc.frame))
		a.Ping() // the connection keeps working, and the server has answered the frame by now
		var errs []wsMsg
		for _, m := range a.Messages(seq) {
			if m.Type == "error" {
				errs = append(errs, m)
			}
		}
		if len(errs) != 1 {
			t.Errorf("%s: want one error, got %d: %v", tc.name, len(errs), errs)
			continue
		}
		m := errs[0]
		if m.Ref != tc.want.ref || m.Sub != tc.want.sub || !slices.Contains(tc.codes, string(m.Code)) || m.Message == "" {
			t.Errorf("%s: sent %s\n  got  %s\n  want ref %q sub %q code %v", tc.name, tc.frame, m.Raw, tc.want.ref, tc.want.sub, tc.codes)
		}
		if tc.name == "subscribe with an unknown operator" {
			require.Contains(t, m.Message, "$bogus", "the message names the offending path")
		}
		if tc.name == "data with a NUL" {
			require.Contains(t, string(m.Raw), `"details":[{"path":"a.0"`, "the error names the offending value")
		}
		if tc.want.sub != "" {
			st, _ := a.Status(tc.want.sub)
			require.NotEqual(t, subActive, st)
		}
	}
	// None of the above disturbed the subscription that works.
	c.replicas[0].restCreate(t, "bob", room, "tasks", "after", map[string]any{})
	a.requireMatchesREST(c.replicas[0], "alice", room, "ok")

	// A frame of exactly 1 MiB is allowed.
	pad := 1<<20 - len(`{"type":"ping","ref":"big","pad":""}`)
	a.SendRaw(websocket.TextMessage, []byte(`{"type":"ping","ref":"big","pad":"`+strings.Repeat("x", pad)+`"}`))
	a.WaitReply("big") // a pong, or an error for the unknown field: either way, no close
	a.Ping()
	a.RequireNoViolations()
}

func TestWSOversizedFrameCloses1009(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	r := c.replicas[0]
	other := r.connect(t, "bob", room)
	other.SubscribeAndWait("all", subSpec{Collection: "tasks"})

	a := r.connect(t, "alice", room)
	big := `{"type":"ping","ref":"huge","pad":"` + strings.Repeat("x", 1<<20) + `"}`
	_ = a.sendRaw(websocket.TextMessage, []byte(big)) // the server may close before all is written
	require.Equal(t, websocket.CloseMessageTooBig, a.WaitClosed(wsWait))

	// A client that writes a whole frame of twice the limit before it reads anything still gets
	// 1009: the server reads the rest of the frame before it closes, so that the socket is not
	// reset under the close frame (1006).
	for i := range 3 {
		conn, resp, err := dialWS(r.addr, room, wsToken(t, "alice"), nil)
		require.NoError(t, err)
		resp.Body.Close()
		huge := `{"type":"ping","ref":"huge","pad":"` + strings.Repeat("x", 2<<20) + `"}`
		require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(huge)), "attempt %d: the write completes", i)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(wsWait)))
		for err == nil {
			_, _, err = conn.ReadMessage()
		}
		var ce *websocket.CloseError
		require.ErrorAs(t, err, &ce, "attempt %d", i)
		require.Equal(t, websocket.CloseMessageTooBig, ce.Code, "attempt %d", i)
		conn.Close()
	}

	// The server still serves: the other client, and a new one.
	other.Ping()
	r.restCreate(t, "alice", room, "tasks", "t1", map[string]any{})
	other.requireMatchesREST(r, "bob", room, "all")
	again := r.connect(t, "alice", room)
	again.Ping()
	other.RequireNoViolations()
}

func TestWSSubscriptionLimit(t *testing.T) {
	t.Parallel()
	c := setup(t, 1)
	a := c.replicas[0].connect(t, "alice", room)
	spec := subSpec{Collection: "tasks"}
	for i := range 100 {
		a.Subscribe(fmt.Sprintf("s%d", i), spec)
	}
	for i := range 100 {
		a.WaitSnapshot(fmt.Sprintf("s%d", i))
	}
	a.Subscribe("s100", spec)
	a.WaitErrorSub("s100", "limit")

	// Replacing an active subscription is not a new one.
	a.Subscribe("s5", subSpec{Collection: "tasks", Where: map[string]any{"c": "red"}})
	a.WaitSnapshot("s5")
	a.Ping()

	// Every subscription still works.
	a.Create("m1", "tasks", "t1", map[string]any{"c": "red"})
	ack := a.WaitAck("m1")
	for i := range 100 {
		requireBeforeAck(t, a, ack, fmt.Sprintf("s%d", i), "t1", 1, false)
	}

	// Unsubscribing frees a place.
	a.Unsubscribe("s0")
	a.Subscribe("s100", spec)
	snap := a.WaitSnapshot("s100")
	require.Equal(t, []string{"t1"}, ids(snap))
	a.RequireNoViolations()
}

func TestWSReplaceAndUnsubscribe(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	r := c.replicas[0]
	r.restCreate(t, "bob", room, "tasks", "red1", map[string]any{"c": "red"})
	r.restCreate(t, "bob", room, "tasks", "blue1", map[string]any{"c": "blue"})
	a := r.connect(t, "alice", room)

	require.Equal(t, []string{"red1"}, ids(a.SubscribeAndWait("s", subSpec{Collection: "tasks", Where: map[string]any{"c": "red"}})))
	// The same sub id again replaces the subscription; a fresh snapshot follows.
	require.Equal(t, []string{"blue1"}, ids(a.SubscribeAndWait("s", subSpec{Collection: "tasks", Where: map[string]any{"c": "blue"}})))
	a.SubscribeAndWait("watch", subSpec{Collection: "tasks"})

	seq := a.Seq()
	r.restCreate(t, "bob", room, "tasks", "red2", map[string]any{"c": "red"})
	r.restCreate(t, "bob", room, "tasks", "blue2", map[string]any{"c": "blue"})
	a.require("blue2 in s and red2 in watch", func() bool {
		_, blue := a.subs["s"].records["blue2"]
		_, red := a.subs["watch"].records["red2"]
		return blue && red
	})
	require.Zero(t, findChange(a.Messages(seq), "s", "red2", 0, false), "the replaced query no longer applies")
	require.Len(t, a.State("s"), 2)

	// After an unsubscribe (and a ping, so the server has read it) nothing more comes for it.
	a.Unsubscribe("s")
	a.Ping()
	seq = a.Seq()
	r.restCreate(t, "bob", room, "tasks", "blue3", map[string]any{"c": "blue"})
	a.require("blue3 in watch", func() bool { _, ok := a.subs["watch"].records["blue3"]; return ok })
	a.Ping()
	for _, m := range a.Messages(seq) {
		require.NotEqual(t, "s", m.Sub, "a message for an ended subscription: %s", m.Raw)
	}
	a.RequireNoViolations()
}

// A subscribe that replaces a live subscription and is refused leaves nothing running under that
// sub id: after an error for a sub, nothing more arrives for it.
func TestWSRefusedReplacementEndsTheSubscription(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "vic")
	r := c.replicas[0]
	r.setRole(t, "alice", room, "vic", "viewer")
	v := r.connect(t, "vic", room)
	v.SubscribeAndWait("forbidden", subSpec{Collection: "pubc"})
	v.SubscribeAndWait("bad", subSpec{Collection: "pubc"})
	v.SubscribeAndWait("watch", subSpec{Collection: "pubc"})

	v.Subscribe("forbidden", subSpec{Collection: "memc"}) // a viewer may not read memc
	v.WaitErrorSub("forbidden", "forbidden")
	v.Subscribe("bad", subSpec{Collection: "pubc", Where: map[string]any{"a": map[string]any{"$bogus": 1}}})
	v.WaitErrorSub("bad", "bad_request")
	v.Ping()

	seq := v.Seq()
	r.restCreate(t, "alice", room, "pubc", "p1", map[string]any{})
	v.require("p1 in watch", func() bool { _, ok := v.subs["watch"].records["p1"]; return ok })
	v.Ping()
	for _, m := range v.Messages(seq) {
		if m.Sub == "forbidden" || m.Sub == "bad" {
			t.Errorf("a message for a subscription whose replacement was refused: %s", m.Raw)
		}
	}
}

func TestWSOwnerRecordsStayWithTheirOwner(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	a := c.replicas[0].connect(t, "alice", room)
	b := c.replicas[1].connect(t, "bob", room)
	a.SubscribeAndWait("own", subSpec{Collection: "own"})
	b.SubscribeAndWait("own", subSpec{Collection: "own"})

	a.Create("a1", "own", "alice1", map[string]any{"v": 1})
	a.WaitAck("a1")
	b.Create("b1", "own", "bob1", map[string]any{"v": 1})
	b.WaitAck("b1")
	b.Put("b2", "own", "alice1", map[string]any{"v": 2}, false, -1) // not bob's to change
	b.WaitErrorRef("b2", "conflict")                                // the id is taken: all it says
	a.Put("a2", "own", "alice1", map[string]any{"v": 3}, false, -1)
	a.WaitAck("a2")
	a.Ping()
	b.Ping()
	a.requireMatchesREST(c.replicas[1], "alice", room, "own")
	b.requireMatchesREST(c.replicas[0], "bob", room, "own")
	require.Equal(t, []string{"alice1"}, keys(a.State("own")), "even an admin sees only their own")
	require.Equal(t, []string{"bob1"}, keys(b.State("own")))
	for _, m := range b.Messages(0) {
		if m.Ref != "b2" { // the answer to bob's put names the id bob sent
			require.NotContains(t, string(m.Raw), "alice1", "bob never hears of alice's record")
		}
	}
	a.RequireNoViolations()
	b.RequireNoViolations()
}

func keys(m map[string]wsRecord) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Under a schema stored before blind writes were refused (api's TestWritersReadWhatTheyWrite
// has the REST side), a write whose writer could not read the result is refused over WebSocket
// too, and the refusal carries nothing of the record.
func TestWSBlindWritesAreRefused(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "bob")
	r := c.replicas[0]
	_, err := c.db.Pool(t).Exec(context.Background(), `UPDATE rooms SET schema = $2 WHERE room_id = $1`, room,
		`{"collections":{"drop":{"access":{"read":"owner","write":"member"}},"adm":{"access":{"read":"admin","write":"member"}}}}`)
	require.NoError(t, err)
	require.Eventually(t, func() bool { // the replica has the stored schema once bob may not create in adm
		resp, err := r.tryREST("bob", http.MethodPost, "/v1/rooms/"+room+"/collections/adm/records", map[string]any{"data": map[string]any{}})
		return err == nil && resp.Status == http.StatusForbidden
	}, wsWait, 5*time.Millisecond)
	a := r.connect(t, "alice", room)
	a.Create("a1", "drop", "x", map[string]any{"secret": 1})
	a.WaitAck("a1")

	b := r.connect(t, "bob", room)
	b.Put("p1", "drop", "x", map[string]any{}, false, -1)
	m := b.WaitErrorRef("p1", "conflict")
	require.NotContains(t, string(m.Raw), "secret")
	b.Remove("d1", "drop", "x")
	b.WaitErrorRef("d1", "not_found")
	b.Create("c1", "adm", "", map[string]any{})
	b.WaitErrorRef("c1", "forbidden")
	b.Ping()
	b.RequireNoViolations()
}

// One user's writes in one room share a rate limit across REST and WebSocket: past its burst
// they are refused with limit and when to come back (Retry-After, retryAfterMs), and nothing of
// the refused write lands; other users are not affected.
func TestMutationRateLimit(t *testing.T) {
	t.Parallel()
	c := startClusterWith(t, 1, map[string]string{"RECORDROOM_RATE_MUTATIONS": "0.1", "RECORDROOM_RATE_MUTATIONS_BURST": "2"})
	r := c.replicas[0]
	r.join(t, "alice", room)
	path := "/v1/rooms/" + room + "/collections/tasks/records"
	r.rest(t, http.StatusCreated, "alice", http.MethodPost, path, map[string]any{"id": "a1", "data": map[string]any{}})
	a := r.connect(t, "alice", room)
	a.Create("c1", "tasks", "a2", map[string]any{})
	a.WaitAck("c1")

	refused := r.rest(t, http.StatusTooManyRequests, "alice", http.MethodPost, path, map[string]any{"id": "a3", "data": map[string]any{}})
	require.Equal(t, "limit", refused.Code())
	retry, err := strconv.Atoi(refused.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Positive(t, retry)
	a.Create("c2", "tasks", "a4", map[string]any{})
	m := a.WaitErrorRef("c2", "limit")
	require.Contains(t, string(m.Raw), `"retryAfterMs":`)

	r.rest(t, http.StatusCreated, "bob", http.MethodPost, path, map[string]any{"id": "b1", "data": map[string]any{}})
	r.rest(t, http.StatusNotFound, "alice", http.MethodGet, path+"/a3", nil)
	r.rest(t, http.StatusNotFound, "alice", http.MethodGet, path+"/a4", nil)
}

// A replica holds at most so many sockets per user and per client address, refused before the
// upgrade with limit (429); an address is the connection's own unless it comes through a
// trusted proxy, whose X-Forwarded-For then names it.
func TestSocketsPerUserAndAddress(t *testing.T) {
	t.Parallel()
	c := startClusterWith(t, 1, map[string]string{"RECORDROOM_MAX_SOCKETS_PER_USER": "2", "RECORDROOM_MAX_SOCKETS_PER_IP": "3",
		"RECORDROOM_TRUSTED_PROXIES": "127.0.0.1/32"})
	r := c.replicas[0]
	r.join(t, "alice", room)
	dial := func(user, forwardedFor string) (*websocket.Conn, int) {
		t.Helper()
		h := http.Header{}
		if forwardedFor != "" {
			h.Set("X-Forwarded-For", forwardedFor)
		}
		conn, resp, err := dialWS(r.addr, room, wsToken(t, user), h)
		if resp != nil && resp.Body != nil {
			defer resp.Body.Close()
		}
		if err != nil {
			require.NotNil(t, resp, "%v", err)
			return nil, resp.StatusCode
		}
		t.Cleanup(func() { conn.Close() })
		return conn, http.StatusSwitchingProtocols
	}
	first, status := dial("alice", "203.0.113.1")
	require.Equal(t, http.StatusSwitchingProtocols, status)
	_, status = dial("alice", "203.0.113.2")
	require.Equal(t, http.StatusSwitchingProtocols, status)
	_, status = dial("alice", "203.0.113.3")
	require.Equal(t, http.StatusTooManyRequests, status, "a third socket of alice")

	for _, u := range []string{"u1", "u2", "u3"} {
		_, status = dial(u, "198.51.100.9")
		require.Equal(t, http.StatusSwitchingProtocols, status, u)
	}
	_, status = dial("u4", "198.51.100.9")
	require.Equal(t, http.StatusTooManyRequests, status, "a fourth socket from one address")
	_, status = dial("u4", "198.51.100.10")
	require.Equal(t, http.StatusSwitchingProtocols, status, "another address behind the same proxy")

	require.NoError(t, first.Close()) // a socket that ends gives its place back
	require.Eventually(t, func() bool {
		conn, status := dial("alice", "203.0.113.4")
		if conn != nil {
			conn.Close()
		}
		return status == http.StatusSwitchingProtocols
	}, wsWait, 10*time.Millisecond)
}

func TestWSSystemUsersCollection(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob", "vic")
	c.replicas[0].setRole(t, "alice", room, "vic", "viewer")
	a := c.replicas[0].connect(t, "alice", room)
	snap := a.SubscribeAndWait("users", subSpec{Collection: "$users"})
	got := map[string]bool{}
	for _, u := range snap {
		got[u.ID] = true
		require.NotEmpty(t, u.Data, "a $users record carries data")
	}
	require.Equal(t, map[string]bool{"alice": true, "bob": true, "vic": true}, got)

	// A role change on the other replica reaches the member list.
	seq := a.Seq()
	c.replicas[1].setRole(t, "alice", room, "bob", "viewer")
	a.require("bob's new role", func() bool {
		for _, m := range a.msgs[seq:] {
			for _, u := range m.Upserts {
				if m.Sub == "users" && u.ID == "bob" && strings.Contains(string(u.Data), "viewer") {
					return true
				}
			}
		}
		return false
	})
	// So does a newcomer.
	c.replicas[1].join(t, "dave", room)
	a.require("dave in $users", func() bool { _, ok := a.subs["users"].records["dave"]; return ok })

	// Reading it takes a member.
	v := c.replicas[1].connect(t, "vic", room)
	v.Subscribe("users", subSpec{Collection: "$users"})
	v.WaitErrorSub("users", "forbidden")
	v.Ping()
	a.RequireNoViolations()
	v.RequireNoViolations()
}

func TestWSTokenExpiryCloses4001(t *testing.T) {
	t.Parallel()
	c := setup(t, 1)
	// docs/protocol.md: the socket closes at the token's exp exactly (no leeway once connected).
	// exp is whole seconds, so this one expires 4–5 s from now.
	exp := time.Now().Add(5 * time.Second)
	tok, err := auth.MintHS256([]byte(wsSecret), auth.Identity{UserID: "alice"}, 5*time.Second, time.Now())
	require.NoError(t, err)
	a := c.replicas[0].connectToken(t, "alice (expiring)", room, tok)
	a.Ping() // open until then
	code := a.WaitClosed(wsWait)
	t.Logf("closed %s after the mint-time exp", time.Since(exp).Round(time.Millisecond))
	require.Equal(t, 4001, code)
	require.Greater(t, time.Since(exp), -1100*time.Millisecond, "not closed long before exp")
	// A fresh token is let in again.
	c.replicas[0].connect(t, "alice", room).Ping()
}

func TestWSRoleChangeEndsSubscriptionsItNoLongerAllows(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	a := r0.connect(t, "alice", room)
	b := r1.connect(t, "bob", room)
	b.SubscribeAndWait("pub", subSpec{Collection: "pubc"})
	b.SubscribeAndWait("mem", subSpec{Collection: "memc"})
	b.SubscribeAndWait("own", subSpec{Collection: "own"})
	b.Create("o1", "own", "bobs", map[string]any{})
	b.WaitAck("o1")

	r0.setRole(t, "alice", room, "bob", "viewer")
	b.WaitErrorSub("mem", "forbidden")
	st, _ := b.Status("mem")
	require.Equal(t, subEnded, st)

	// The viewer-read subscription goes on, so does the owner one; memc's changes no longer come.
	a.Create("a1", "pubc", "p1", map[string]any{})
	a.WaitAck("a1")
	a.Create("a2", "memc", "m1", map[string]any{})
	a.WaitAck("a2")
	b.require("p1", func() bool { _, ok := b.subs["pub"].records["p1"]; return ok })
	b.Ping()
	b.requireMatchesREST(r0, "bob", room, "own")

	// The connection acts with the new role.
	b.Create("b1", "pubc", "p2", map[string]any{})
	b.WaitErrorRef("b1", "forbidden")
	b.Subscribe("mem", subSpec{Collection: "memc"})
	b.WaitErrorSub("mem", "forbidden")

	// And back: member again, the collection can be subscribed to and written.
	r1.setRole(t, "alice", room, "bob", "member")
	require.Eventually(t, func() bool {
		ref := b.NewRef("b")
		_ = b.tryCreate(ref, "pubc", "", map[string]any{})
		m, _ := b.waitReply(ref, wsWait)
		return m.Type == "ack"
	}, wsWait, 50*time.Millisecond, "bob writes again once a member")
	snap := b.SubscribeAndWait("mem", subSpec{Collection: "memc"})
	require.Equal(t, []string{"m1"}, ids(snap))
	a.RequireNoViolations()
	b.RequireNoViolations()
}

func TestWSRemovedUserIsClosed4003(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	a := r0.connect(t, "alice", room)
	b0 := r0.connect(t, "bob", room)
	b1 := r1.connect(t, "bob", room)
	b0.SubscribeAndWait("all", subSpec{Collection: "tasks"})

	r0.rest(t, http.StatusNoContent, "alice", http.MethodDelete, "/v1/rooms/"+room+"/users/bob", nil)
	require.Equal(t, 4003, b0.WaitClosed(wsWait))
	require.Equal(t, 4003, b1.WaitClosed(wsWait), "on the other replica too")
	a.Ping()

	// A removed user who comes back with a valid token joins again as a newcomer.
	again := r1.connect(t, "bob", room)
	require.Equal(t, "member", again.WaitHello().User.Role)
	again.Ping()
}

func TestWSShutdownCloses1012(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	a := r0.connect(t, "alice", room)
	a.SubscribeAndWait("all", subSpec{Collection: "tasks"})
	b := r0.connect(t, "bob", room)
	other := r1.connect(t, "bob", room)
	other.SubscribeAndWait("all", subSpec{Collection: "tasks"})

	start := time.Now()
	r0.Stop()
	t.Logf("replica stopped in %s", time.Since(start).Round(time.Millisecond))
	require.Equal(t, websocket.CloseServiceRestart, a.WaitClosed(wsWait))
	require.Equal(t, websocket.CloseServiceRestart, b.WaitClosed(wsWait))

	// The other replica goes on.
	r1.restCreate(t, "alice", room, "tasks", "t1", map[string]any{})
	other.requireMatchesREST(r1, "bob", room, "all")
	other.RequireNoViolations()
}

// gatedConn is a client socket whose reads wait while it is paused: a client that stops reading.
type gatedConn struct {
	net.Conn
	mu   sync.Mutex
	open chan struct{} // closed while reading is allowed
}

func (c *gatedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	open := c.open
	c.mu.Unlock()
	<-open
	return c.Conn.Read(p)
}

// pause stops reads (one already waiting for data may still complete).
func (c *gatedConn) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open = make(chan struct{})
}

// resume lets reads go on.
func (c *gatedConn) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.open:
	default:
		close(c.open)
	}
}

// dialGated dials user's socket on addr through a gatedConn with a 256 KiB receive buffer (so a
// client that stops reading falls behind sooner; not much smaller: below loopback's 64 KiB MSS,
// window updates stall for seconds once the reader resumes).
func dialGated(t *testing.T, addr, user string) (*websocket.Conn, *gatedConn) {
	t.Helper()
	gate := &gatedConn{open: make(chan struct{})}
	close(gate.open)
	d := websocket.Dialer{HandshakeTimeout: wsWait, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if c, ok := conn.(*net.TCPConn); ok {
			_ = c.SetReadBuffer(256 << 10)
		}
		gate.Conn = conn
		return gate, nil
	}}
	conn, resp, err := d.Dial("ws://"+addr+"/v1/rooms/"+room+"/ws?token="+wsToken(t, user), nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(gate.resume) // never leave the reader stuck
	return conn, gate
}

// sendBufferMax is the most a socket's send buffer may grow to (Linux: tcp_wmem's maximum).
func sendBufferMax() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 3 {
			if n, err := strconv.Atoi(f[2]); err == nil {
				return n
			}
		}
	}
	return 8 << 20
}

// slowClosed reads recordroom_ws_slow_closed_total from the replica's /metrics (-1: unknown).
func slowClosed(r *wsReplica) int {
	resp, err := r.tryREST("", http.MethodGet, "/metrics", nil)
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(resp.Body), "\n") {
		if v, ok := strings.CutPrefix(l, "recordroom_ws_slow_closed_total "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return int(n)
			}
		}
	}
	return -1
}

// A client that stops reading is closed with 4008 once it is more than the send queue (256
// messages) behind, and it still gets the close frame after what was queued before it when it
// reads again; meanwhile a fast client gets every change.
//
// A client that never reads again cannot see any close frame (the server's blocked write times
// out, WriteTimeout after the socket filled up, and the connection just ends), so the slow client
// here resumes reading once the server must have given up on it: when /metrics says so, or when
// the fast client has seen more changes than the slow one's queue, socket buffers and a margin
// can hold, whichever comes first. And so that the
// queue overflows right after the socket fills up (long before that write times out, however
// loaded the machine), the slow client holds 100 subscriptions on the collection: every write
// queues 100 messages for it.
func TestWSSlowReaderIsClosed4008(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	fast := r0.connect(t, "alice", room)
	fast.SubscribeAndWait("all", subSpec{Collection: "tasks"})

	const subs = 100
	slowConn, gate := dialGated(t, r0.addr, "bob")
	slow := newWSClient(t, "slow bob", slowConn)
	slow.WaitHello()
	for i := range subs {
		slow.Subscribe(fmt.Sprintf("s%d", i), subSpec{Collection: "tasks"})
	}
	for i := range subs {
		slow.WaitSnapshot(fmt.Sprintf("s%d", i))
	}
	slow.Ping() // nothing of ours is left unread on the server
	gate.pause()

	const size = 20_000
	perWrite := subs * (size + 300)                                    // bytes queued for the slow client per write
	behind := (256*(size+300)+sendBufferMax()+2*256<<10)/perWrite + 10 // Linux doubles SO_RCVBUF
	const bound = 80                                                   // records, 1.6 MB (160 MB of messages, were the slow client never closed)
	require.Less(t, behind, bound-20)

	// Records of about 20 KB, written over REST on the other replica by a few writers, until
	// the slow client must have been given up on.
	blob := strings.Repeat("x", size)
	var next, written atomic.Int64
	start := time.Now()
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				i := next.Add(1)
				if i > bound {
					return
				}
				resp, err := r1.tryREST("alice", http.MethodPost, "/v1/rooms/"+room+"/collections/tasks/records",
					map[string]any{"id": fmt.Sprintf("big%03d", i), "data": map[string]any{"i": i, "blob": blob}})
				if err == nil && resp.Status != http.StatusCreated {
					err = fmt.Errorf("create: %d %s", resp.Status, resp.Body)
				}
				if err != nil {
					errs <- err
					return
				}
				written.Add(1)
			}
		})
	}
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	defer func() { stop.Store(true); <-writersDone }()

	// Wait until the server must have given up on the slow client: the fast client is far
	// enough ahead, or (sooner) /metrics counts the close (docs/operations.md).
	deadline := time.Now().Add(2 * wsWait)
	for len(fast.State("all")) < behind && slowClosed(r0) == 0 {
		select {
		case err := <-errs:
			t.Fatalf("writer: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fast client fell behind the writers: %d written, %d received", written.Load(), len(fast.State("all")))
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true) // the server has given up on the slow client by now
	resumed := time.Now()
	gate.resume()
	code := slow.WaitClosed(wsWait)
	<-writersDone
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	slow.mu.Lock()
	n := len(slow.msgs)
	slow.mu.Unlock()
	t.Logf("%d records written; the slow client read again after %s, got %d messages, then close %d (%v)",
		written.Load(), resumed.Sub(start).Round(time.Millisecond), n, code, slow.readErr)
	require.Equal(t, 4008, code)
	slow.RequireNoViolations()

	// The fast client got every record and is still open.
	total := int(written.Load())
	fast.require("every record", func() bool { return len(fast.subs["all"].records) == total })
	closed, _ := fast.Closed()
	require.False(t, closed)
	fast.Ping()
	msgs := fast.Messages(0)
	for i := 1; i <= total; i++ {
		require.NotZero(t, findChange(msgs, "all", fmt.Sprintf("big%03d", i), 1, false))
	}
	fast.RequireNoViolations()
}

// terminateListener terminates the LISTEN connection of the replica named replica, and answers how
// many backends it ended. The listener's connection has the pool's application_name
// ("recordroom <replica> listener"); its last statement is LISTEN.
func terminateListener(t *testing.T, pool *pgxpool.Pool, replica string) int {
	t.Helper()
	var n int
	var err error
	require.Eventually(t, func() bool {
		err = pool.QueryRow(context.Background(), `
			SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1 AND query ILIKE 'LISTEN %'`,
			"recordroom "+replica+" listener").Scan(&n)
		return err == nil && n > 0
	}, wsWait, 20*time.Millisecond, "no LISTEN backend for replica %s", replica)
	require.NoError(t, err)
	return n
}

func TestWSListenerConnectionLossLosesNothing(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	a := r0.connect(t, "alice", room)
	b := r1.connect(t, "bob", room)
	specs := map[string]subSpec{
		"all":    {Collection: "tasks"},
		"even":   {Collection: "tasks", Where: map[string]any{"even": true}},
		"top":    {Collection: "tasks", OrderBy: []map[string]any{{"field": "n", "dir": "desc"}}, Limit: 5},
		"low":    {Collection: "tasks", Where: map[string]any{"n": map[string]any{"$lt": 100}}},
		"bottom": {Collection: "tasks", OrderBy: []map[string]any{{"field": "n"}}, Limit: 3},
	}
	for sub, spec := range specs {
		a.SubscribeAndWait(sub, spec)
		b.SubscribeAndWait(sub, spec)
	}
	replica := a.WaitHello().Replica
	pool := c.db.Pool(t)

	// 300 puts from REST on the other replica; r0's LISTEN connection is killed twice meanwhile.
	killed := 0
	writesStart := time.Now()
	for i := range 300 {
		n := (i * 37) % 211
		r1.restPut(t, "bob", room, "tasks", fmt.Sprintf("t%02d", i%40), map[string]any{"n": n, "even": n%2 == 0}, false)
		if i%20 == 19 && i < 200 {
			r1.restRemove(t, "bob", room, "tasks", fmt.Sprintf("t%02d", (i*7)%40))
		}
		if i == 100 || i == 200 {
			killed += terminateListener(t, pool, replica)
		}
	}
	t.Logf("terminated %d listener backends; writes took %s", killed, time.Since(writesStart).Round(time.Millisecond))
	require.Eventually(t, func() bool {
		resp, err := r0.tryREST("", http.MethodGet, "/readyz", nil)
		return err == nil && resp.Status == http.StatusOK
	}, wsWait, 20*time.Millisecond, "the replica's listener reconnects")

	for sub := range specs {
		a.requireMatchesREST(r1, "alice", room, sub)
		b.requireMatchesREST(r0, "bob", room, sub)
	}
	t.Logf("subscriptions agree with REST %s after the writes", time.Since(writesStart).Round(time.Millisecond))
	// And changes flow again afterwards.
	r1.restPut(t, "bob", room, "tasks", "after", map[string]any{"n": 1000, "even": true}, false)
	for sub := range specs {
		a.requireMatchesREST(r1, "alice", room, sub)
	}
	a.RequireNoViolations()
	b.RequireNoViolations()
}

// A new schema reaches open subscriptions on every replica: a collection whose read access rises
// above the subscriber's role ends their subscription with forbidden.
func TestWSSchemaChangeReevaluatesSubscriptions(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	b := c.replicas[1].connect(t, "bob", room)
	b.SubscribeAndWait("tasks", subSpec{Collection: "tasks"})

	c.replicas[0].setSchema(t, "alice", room, map[string]any{"collections": map[string]any{
		"tasks": map[string]any{"access": map[string]any{"read": "admin", "write": "admin"}},
	}})
	b.WaitErrorSub("tasks", "forbidden")
	b.Ping()
	b.RequireNoViolations()
}

// Each replica keeps rooms' schemas in memory, forgotten on any notification of the room's row:
// a schema set on one replica, or changed, deleted and made again with plain SQL, reaches the
// writes of every replica, also after a listener reconnect in which notifications were lost.
func TestSchemaChangesReachEveryReplicasWrites(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	pool := c.db.Pool(t)
	// refused says whether replica r now refuses a create without a title, as the schema with
	// required titles does (each accepted attempt just adds a record).
	refused := func(r *wsReplica) bool {
		resp, err := r.tryREST("bob", http.MethodPost, "/v1/rooms/"+room+"/collections/tasks/records",
			map[string]any{"data": map[string]any{"n": 1}})
		require.NoError(t, err)
		require.Contains(t, []int{http.StatusCreated, http.StatusUnprocessableEntity}, resp.Status, "%s", resp.Body)
		return resp.Status == http.StatusUnprocessableEntity && resp.Code() == "invalid"
	}
	titled := map[string]any{"collections": map[string]any{"tasks": map[string]any{
		"fields": map[string]any{"title": map[string]any{"type": "string", "required": true}},
	}}}
	titledSQL, err := json.Marshal(titled)
	require.NoError(t, err)
	require.False(t, refused(r0))
	require.False(t, refused(r1)) // both replicas now remember open mode

	r0.setSchema(t, "alice", room, titled)
	require.True(t, refused(r0), "the replica that set it knows at once")
	require.Eventually(t, func() bool { return refused(r1) }, wsWait, 5*time.Millisecond, "r1 kept the old schema")

	_, err = pool.Exec(context.Background(), `UPDATE rooms SET schema = NULL WHERE room_id = $1`, room)
	require.NoError(t, err)
	for _, r := range c.replicas {
		require.Eventually(t, func() bool { return !refused(r) }, wsWait, 5*time.Millisecond, "a replica kept the schema")
	}

	// Deleted and made again with a schema, in one transaction, by plain SQL.
	tx, err := pool.Begin(context.Background())
	require.NoError(t, err)
	_, err = tx.Exec(context.Background(), `DELETE FROM rooms WHERE room_id = $1`, room)
	require.NoError(t, err)
	_, err = tx.Exec(context.Background(), `INSERT INTO rooms (room_id, schema) VALUES ($1, $2)`, room, titledSQL)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(context.Background()))
	c.replicas[0].join(t, "bob", room) // bob's users row went with the room
	for _, r := range c.replicas {
		require.Eventually(t, func() bool { return refused(r) }, wsWait, 5*time.Millisecond, "a replica kept open mode")
	}

	// A change made while r1's listener is reconnecting is not missed either.
	b := r1.connect(t, "bob", room)
	terminateListener(t, pool, b.WaitHello().Replica)
	_, err = pool.Exec(context.Background(), `UPDATE rooms SET schema = NULL WHERE room_id = $1`, room)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return !refused(r1) }, wsWait, 5*time.Millisecond, "r1 kept the schema")
}

func TestWSSystemTeamCollections(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	a := r0.connect(t, "alice", room)
	require.Empty(t, a.SubscribeAndWait("teams", subSpec{Collection: "$teams"}))
	require.Empty(t, a.SubscribeAndWait("members", subSpec{Collection: "$teamMembers"}))
	base := "/v1/rooms/" + room + "/teams"
	field := func(sub, id, key string) string {
		rec, ok := a.subs[sub].records[id]
		if !ok {
			return "absent"
		}
		var data map[string]any
		require.NoError(t, json.Unmarshal(rec.Data, &data))
		s, _ := data[key].(string)
		return s
	}
	decode := func(r restResponse) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &m), string(r.Body))
		return m
	}

	// Everything below is written on the other replica.
	r1.rest(t, http.StatusCreated, "alice", http.MethodPost, base, map[string]any{"id": "design", "name": "Design"})
	a.require("the team", func() bool { return field("teams", "design", "name") == "Design" })
	bob := decode(r1.rest(t, http.StatusCreated, "alice", http.MethodPost, base+"/design/members", map[string]any{"userId": "bob"}))
	bobID := bob["id"].(string)
	a.require("bob's membership", func() bool { return field("members", bobID, "userId") == "bob" })
	require.Equal(t, "active", field("members", bobID, "status"))
	require.Equal(t, "design", field("members", bobID, "teamId"))

	// An invite appears pending, and turns active when its addressee first arrives.
	dave := decode(r1.rest(t, http.StatusCreated, "alice", http.MethodPost, base+"/design/members", map[string]any{"email": "dave@example.org"}))
	daveID := dave["id"].(string)
	a.require("dave's invite", func() bool { return field("members", daveID, "status") == "pending" })
	r1.connect(t, "dave", room).WaitHello()
	a.require("dave's membership", func() bool { return field("members", daveID, "status") == "active" })
	require.Equal(t, "dave", field("members", daveID, "userId"))

	// Memberships disappear: one removed, the rest with their team.
	r1.rest(t, http.StatusNoContent, "alice", http.MethodDelete, base+"/design/members/"+bobID, nil)
	a.require("bob gone", func() bool { return field("members", bobID, "userId") == "absent" })
	r1.rest(t, http.StatusNoContent, "alice", http.MethodDelete, base+"/design", nil)
	a.require("team gone", func() bool { return field("teams", "design", "name") == "absent" })
	a.require("dave gone with it", func() bool { return field("members", daveID, "userId") == "absent" })

	// The lists are read-only over the socket.
	a.Create("w1", "$teams", "x", map[string]any{"name": "x"})
	a.WaitErrorRef("w1", "forbidden", "bad_request")
	a.Remove("w2", "$teamMembers", daveID)
	a.WaitErrorRef("w2", "forbidden", "bad_request")
	a.RequireNoViolations()
}
