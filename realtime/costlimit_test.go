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

// A subscription admitted while its collection was small, whose window later needs a refill
// after the collection grew past the cost limit, ends with the error its subscribe would now
// get (`limit`, with its sub id), and its socket stays open: the refill is refused as the
// subscribe is, not treated as an internal failure.
func TestRefillOverTheCostLimitEndsTheSubscription(t *testing.T) {
	t.Parallel()
	// Every verdict is judged afresh, so the refill sees the grown collection.
	rig := newFanoutRigWith(t, 1, testHooks{}, records.Limits{MaxCost: 200, VerdictTTL: time.Nanosecond})
	ctx := context.Background()
	const room = "grows"
	rig.visit(t, room, "alice")
	alice := access.Caller{UserID: "alice", Role: access.Admin}
	key := func(id string) records.Key { return records.Key{Room: room, Collection: "tasks", ID: id} }
	for i := 1; i <= 6; i++ { // more than the window and its margin hold: a refill can bring more
		rec, err := rig.records.Create(ctx, alice, key("t"+strconv.Itoa(i)), json.RawMessage(`{"n":`+strconv.Itoa(i)+`}`))
		require.NoError(t, err)
		rig.hub.QueueChange(Change{Table: "records", Op: "insert", TS: time.Now().UnixMilli(),
			Rows: []ChangeRow{{Room: room, Collection: "tasks", ID: rec.ID, Version: rec.Version, Creator: "alice"}}})
	}

	c := rig.connect(t, room, "alice", access.Admin)
	require.NoError(t, c.conn.WriteJSON(map[string]any{"type": "subscribe", "sub": "s1", "collection": "tasks",
		"where": map[string]any{"n": map[string]any{"$gt": 0}}, "orderBy": []any{map[string]any{"field": "n", "dir": "desc"}},
		"limit": 2}))
	c.await("snapshot of s1", func(m map[string]any) bool { return m["type"] == "snapshot" && m["sub"] == "s1" })

	// The collection grows behind the engine's back (no notification: nothing of it enters).
	pool, err := pgxpool.New(ctx, rig.databaseURL)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(ctx, `INSERT INTO records (room_id, collection, id, user_id, data)
		SELECT $1, 'tasks', 'bulk' || i, 'alice', jsonb_build_object('n', -i) FROM generate_series(1, 20000) AS i`, room)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "ANALYZE records")
	require.NoError(t, err)

	// The window (2) and its margin (2) hold t6–t3; removing three spends the margin.
	for _, id := range []string{"t6", "t5", "t4"} {
		rec, err := rig.records.Remove(ctx, alice, key(id), records.RemoveParams{})
		require.NoError(t, err)
		rig.hub.QueueChange(Change{Table: "records", Op: "delete", TS: time.Now().UnixMilli(),
			Rows: []ChangeRow{{Room: room, Collection: "tasks", ID: id, Version: rec.Version, Creator: "alice"}}})
	}
	c.await("limit error of s1", func(m map[string]any) bool {
		return m["type"] == "error" && m["sub"] == "s1" && m["code"] == "limit"
	})
	require.NoError(t, c.conn.WriteJSON(map[string]any{"type": "ping", "ref": "p1"}))
	c.await("pong: the socket stays open", func(m map[string]any) bool { return m["type"] == "pong" && m["ref"] == "p1" })
}
