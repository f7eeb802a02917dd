package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/yjs"
)

// fanoutWait bounds every wait for something that should happen; a passing test never waits
// this long.
const fanoutWait = 15 * time.Second

// fanoutRig is one hub on a database of its own, served without the API (callers carry the
// role the test gives them) and without a listener: the test queues the changes itself.
type fanoutRig struct {
	hub     *Hub
	records *records.Service
	members *members.Service
	url     string
	// databaseURL is the rig's own database, for tests that change it behind the services.
	databaseURL string
}

func newFanoutRig(t *testing.T, shards int, hooks testHooks) *fanoutRig {
	t.Helper()
	return newFanoutRigWith(t, shards, hooks, records.Limits{})
}

// newFanoutRigWith is newFanoutRig with the records service's query cost limits.
func newFanoutRigWith(t *testing.T, shards int, hooks testHooks, limits records.Limits) *fanoutRig {
	t.Helper()
	ctx := context.Background()
	dbURL := testdb.New(t).URL
	database, err := db.Open(ctx, dbURL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(database.Close)
	recs, err := records.New(database, nil, limits)
	require.NoError(t, err)
	mem := members.New(database)
	docs := yjs.NewDocs(database, yjs.DocsConfig{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(docs.Close)
	h := NewHub(HubConfig{Records: recs, Members: mem, Docs: docs, FanoutShards: shards,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h.hooks = hooks
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		h.Serve(w, r, Admission{Room: q.Get("room"), Widget: "default",
			Caller: access.Caller{UserID: q.Get("user"), Role: access.Role(q.Get("role"))}})
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), fanoutWait)
		defer cancel()
		h.Shutdown(ctx)
		srv.Close()
	})
	return &fanoutRig{hub: h, records: recs, members: mem, url: "ws" + strings.TrimPrefix(srv.URL, "http"), databaseURL: dbURL}
}

// visit makes user a member of room (its first visitor is its admin).
func (r *fanoutRig) visit(t *testing.T, room, user string) {
	t.Helper()
	_, err := r.members.Visit(context.Background(), room, members.Visitor{UserID: user})
	require.NoError(t, err)
}

// create writes a record and queues its notification, as the listener would.
func (r *fanoutRig) create(t *testing.T, room, id string) {
	t.Helper()
	caller := access.Caller{UserID: "alice", Role: access.Admin}
	rec, err := r.records.Create(context.Background(), caller, records.Key{Room: room, Collection: "tasks", ID: id}, json.RawMessage(`{"n":1}`))
	require.NoError(t, err)
	r.hub.QueueChange(Change{Table: "records", Op: "insert", TS: time.Now().UnixMilli(),
		Rows: []ChangeRow{{Room: room, Collection: "tasks", ID: id, Version: rec.Version, Creator: "alice"}}})
}

// fanoutClient is a socket whose messages a goroutine reads into a channel; closed carries the
// close code once the socket ends.
type fanoutClient struct {
	t        *testing.T
	msgs     chan map[string]any
	closed   chan int
	conn     *websocket.Conn
	subCount int
}

func (r *fanoutRig) connect(t *testing.T, room, user string, role access.Role) *fanoutClient {
	t.Helper()
	u := r.url + "/?" + url.Values{"room": {room}, "user": {user}, "role": {string(role)}}.Encode()
	conn, _, err := websocket.DefaultDialer.Dial(u, nil)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	c := &fanoutClient{t: t, msgs: make(chan map[string]any, 64), closed: make(chan int, 1), conn: conn}
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				code := websocket.CloseAbnormalClosure
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					code = ce.Code
				}
				c.closed <- code
				close(c.msgs)
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				c.msgs <- m
			}
		}
	}()
	return c
}

// await reads messages until one satisfies ok, failing after fanoutWait or when the socket
// closes first.
func (c *fanoutClient) await(what string, ok func(map[string]any) bool) {
	c.t.Helper()
	deadline := time.After(fanoutWait)
	for {
		select {
		case m, open := <-c.msgs:
			if !open {
				c.t.Fatalf("socket closed while waiting for %s", what)
			}
			if ok(m) {
				return
			}
		case <-deadline:
			c.t.Fatalf("no %s within %s", what, fanoutWait)
		}
	}
}

func (c *fanoutClient) subscribe() {
	c.t.Helper()
	c.subCount++
	sub := fmt.Sprintf("s%d", c.subCount)
	require.NoError(c.t, c.conn.WriteJSON(map[string]any{"type": "subscribe", "sub": sub, "collection": "tasks"}))
	c.await("snapshot of "+sub, func(m map[string]any) bool { return m["type"] == "snapshot" && m["sub"] == sub })
}

// awaitUpsert waits for a changes message that upserts record id.
func (c *fanoutClient) awaitUpsert(id string) {
	c.t.Helper()
	c.await("upsert of "+id, func(m map[string]any) bool {
		ups, _ := m["upserts"].([]any)
		for _, u := range ups {
			if rec, _ := u.(map[string]any); rec["id"] == id {
				return true
			}
		}
		return false
	})
}

func (c *fanoutClient) awaitClose() int {
	c.t.Helper()
	for {
		select {
		case code := <-c.closed:
			return code
		case _, open := <-c.msgs:
			if !open {
				return <-c.closed
			}
		case <-time.After(fanoutWait):
			c.t.Fatalf("socket not closed within %s", fanoutWait)
		}
	}
}

// blockRoom is a fetch hook that holds the delivery of one room's record changes until
// release is closed; entered is closed once a delivery is held.
type blockRoom struct {
	room     string
	entered  chan struct{}
	release  chan struct{}
	once     sync.Once
	released sync.Once
}

func newBlockRoom(room string) *blockRoom {
	return &blockRoom{room: room, entered: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockRoom) fetch(room string) {
	if room != b.room {
		return
	}
	b.once.Do(func() { close(b.entered) })
	<-b.release
}

func (b *blockRoom) unblock() { b.released.Do(func() { close(b.release) }) }

func (b *blockRoom) awaitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-b.entered:
	case <-time.After(fanoutWait):
		t.Fatalf("room %s's delivery never started", b.room)
	}
}

// A room whose delivery is held (a fetch that does not return) delays neither the delivery to a
// room on another shard nor the removal of a user from the held room itself (4003, on the
// member lane); once released, the held change arrives.
func TestSlowRoomDelaysNoOtherRoomNorRemovals(t *testing.T) {
	t.Parallel()
	const slow = "room-slow"
	block := newBlockRoom(slow)
	rig := newFanoutRig(t, 4, testHooks{fetch: block.fetch})
	t.Cleanup(block.unblock) // before the hub's shutdown waits for the lanes
	fast := ""
	for i := 0; fast == ""; i++ {
		if room := fmt.Sprintf("room-fast-%d", i); rig.hub.fanout.shardOf(room) != rig.hub.fanout.shardOf(slow) {
			fast = room
		}
	}
	for _, room := range []string{slow, fast} {
		rig.visit(t, room, "alice")
	}
	rig.visit(t, slow, "bob")

	aliceSlow := rig.connect(t, slow, "alice", access.Admin)
	aliceSlow.subscribe()
	bobSlow := rig.connect(t, slow, "bob", access.Member)
	bobSlow.subscribe()
	aliceFast := rig.connect(t, fast, "alice", access.Admin)
	aliceFast.subscribe()

	rig.create(t, slow, "held")
	block.awaitEntered(t)

	// Another room, another shard: delivered while the slow room's delivery is held.
	rig.create(t, fast, "quick")
	aliceFast.awaitUpsert("quick")

	// The held room's own removals are not queued behind its data.
	require.NoError(t, rig.members.Remove(context.Background(), access.Caller{UserID: "alice", Role: access.Admin}, slow, "bob"))
	rig.hub.QueueChange(Change{Table: "users", Op: "delete", TS: time.Now().UnixMilli(), Rows: []ChangeRow{{Room: slow, ID: "bob"}}})
	require.Equal(t, protocol.CloseRemoved, bobSlow.awaitClose())

	block.unblock()
	aliceSlow.awaitUpsert("held")
}

// Rooms on one shard keep the order of a single queue: a change of a room queued behind a held
// one waits for it (the pool bounds concurrency; it does not reorder).
func TestOneShardDeliversInQueueOrder(t *testing.T) {
	t.Parallel()
	block := newBlockRoom("room-a")
	rig := newFanoutRig(t, 1, testHooks{fetch: block.fetch})
	t.Cleanup(block.unblock)
	for _, room := range []string{"room-a", "room-b"} {
		rig.visit(t, room, "alice")
	}
	a := rig.connect(t, "room-a", "alice", access.Admin)
	a.subscribe()
	b := rig.connect(t, "room-b", "alice", access.Admin)
	b.subscribe()

	rig.create(t, "room-a", "first")
	block.awaitEntered(t)
	rig.create(t, "room-b", "second")
	require.Equal(t, 1, rig.hub.fanout.queued(), "room-b's change waits behind room-a's on the one shard")
	block.unblock()
	a.awaitUpsert("first")
	b.awaitUpsert("second")
}

// The barrier: a record change queued after a member change is delivered only once that member
// change has been (what was committed after a role change reaches the re-evaluated session).
func TestDataWaitsForMemberChangesQueuedBefore(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var once, released sync.Once
	unblock := func() { released.Do(func() { close(release) }) }
	rig := newFanoutRig(t, 1, testHooks{member: func(Change) {
		once.Do(func() { close(entered) })
		<-release
	}})
	t.Cleanup(unblock)
	rig.visit(t, "room-a", "alice")
	a := rig.connect(t, "room-a", "alice", access.Admin)
	a.subscribe()

	rig.hub.QueueChange(Change{Table: "users", Op: "update", TS: time.Now().UnixMilli(), Rows: []ChangeRow{{Room: "room-a", ID: "alice"}}})
	select {
	case <-entered:
	case <-time.After(fanoutWait):
		t.Fatal("the member change was never delivered")
	}
	rig.create(t, "room-a", "after")
	require.Equal(t, 1, rig.hub.fanout.queued(), "the record change waits behind the member change")
	unblock()
	a.awaitUpsert("after")
}
