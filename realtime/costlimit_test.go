package realtime

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/records"
)

const costlyRoomID = "grows"

// costlyRoom is a rig whose cost limit judges every query afresh, with a room whose
// subscription s1 (an unindexed filter and order, limit 2) was admitted while "tasks" held six
// records, and which then grew past the limit behind the engine's back (no notification:
// nothing of it enters the window).
func costlyRoom(t *testing.T) (*fanoutRig, *fanoutClient) {
	t.Helper()
	rig := newFanoutRigWith(t, 1, testHooks{}, records.Limits{MaxCost: 200, VerdictTTL: time.Nanosecond})
	ctx := context.Background()
	rig.visit(t, costlyRoomID, "alice")
	for i := 1; i <= 6; i++ { // more than the window and its margin hold: a refill can bring more
		rec, err := rig.records.Create(ctx, costlyCaller, costlyKey("t"+strconv.Itoa(i)), json.RawMessage(`{"n":`+strconv.Itoa(i)+`}`))
		require.NoError(t, err)
		rig.queueRecord(rec.ID, "insert", rec.Version)
	}
	c := rig.connect(t, costlyRoomID, "alice", access.Admin)
	require.NoError(t, c.conn.WriteJSON(map[string]any{"type": "subscribe", "sub": "s1", "collection": "tasks",
		"where": map[string]any{"n": map[string]any{"$gt": 0}}, "orderBy": []any{map[string]any{"field": "n", "dir": "desc"}},
		"limit": 2}))
	c.await("snapshot of s1", func(m map[string]any) bool { return m["type"] == "snapshot" && m["sub"] == "s1" })

	pool, err := pgxpool.New(ctx, rig.databaseURL)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(ctx, `INSERT INTO records (room_id, collection, id, user_id, data)
		SELECT $1, 'tasks', 'bulk' || i, 'alice', jsonb_build_object('n', -i) FROM generate_series(1, 20000) AS i`, costlyRoomID)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "ANALYZE records")
	require.NoError(t, err)
	return rig, c
}

var costlyCaller = access.Caller{UserID: "alice", Role: access.Admin}

func costlyKey(id string) records.Key {
	return records.Key{Room: costlyRoomID, Collection: "tasks", ID: id}
}

// queueRecord queues a record change of the costly room, as the listener would.
func (r *fanoutRig) queueRecord(id, op string, version int64) {
	r.hub.QueueChange(Change{Table: "records", Op: op, TS: time.Now().UnixMilli(),
		Rows: []ChangeRow{{Room: costlyRoomID, Collection: "tasks", ID: id, Version: version, Creator: "alice"}}})
}

// awaitLimitAndStillOpen waits for s1's `limit` error, then proves the socket still answers.
func awaitLimitAndStillOpen(t *testing.T, c *fanoutClient) {
	t.Helper()
	c.await("limit error of s1", func(m map[string]any) bool {
		return m["type"] == "error" && m["sub"] == "s1" && m["code"] == "limit"
	})
	require.NoError(t, c.conn.WriteJSON(map[string]any{"type": "ping", "ref": "p1"}))
	c.await("pong: the socket stays open", func(m map[string]any) bool { return m["type"] == "pong" && m["ref"] == "p1" })
}

// A subscription whose window needs a refill after its collection grew past the cost limit
// ends with the error its subscribe would now get (`limit`, with its sub id), and its socket
// stays open: the refill is refused as the subscribe is, not treated as an internal failure.
func TestRefillOverTheCostLimitEndsTheSubscription(t *testing.T) {
	t.Parallel()
	rig, c := costlyRoom(t)
	// The window (2) and its margin (2) hold t6–t3; removing three spends the margin.
	for _, id := range []string{"t6", "t5", "t4"} {
		rec, err := rig.records.Remove(context.Background(), costlyCaller, costlyKey(id), records.RemoveParams{})
		require.NoError(t, err)
		rig.queueRecord(id, "delete", rec.Version)
	}
	awaitLimitAndStillOpen(t, c)
}

// A new schema that moves the subscription to another shared query (owner-scoped now) loads
// that query afresh; refused by the cost limit, it ends the subscription, not the socket.
func TestRejoinOverTheCostLimitEndsTheSubscription(t *testing.T) {
	t.Parallel()
	rig, c := costlyRoom(t)
	_, err := rig.records.SetSchema(context.Background(), costlyCaller, costlyRoomID,
		json.RawMessage(`{"collections": {"tasks": {"access": {"read": "owner", "write": "owner"}}}}`))
	require.NoError(t, err)
	rig.hub.QueueChange(Change{Table: "rooms", Op: "update", TS: time.Now().UnixMilli(), Rows: []ChangeRow{{Room: costlyRoomID}}})
	awaitLimitAndStillOpen(t, c)
}
