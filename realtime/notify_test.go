package realtime_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/realtime"
)

// triggerCase drives one table's change triggers. Rows are spread over 20 rooms (so over many
// partitions) with long ids, so that 1000 rows need many payloads.
type triggerCase struct {
	table  string
	setup  string // rows the others need, made before listening
	insert string // one $1-parameterised statement inserting $1 rows
	update string // updates every row
	keys   string // every row's key, formatted as key() formats a ChangeRow
	key    func(realtime.ChangeRow) string
}

var triggerCases = []triggerCase{
	{
		table: "records",
		insert: `INSERT INTO records (room_id, collection, id, user_id, data)
			SELECT 'room-' || i % 20, 'tasks', 'rec-' || lpad(i::text, 120, '0'), 'user-' || i, '{}'
			FROM generate_series(1, $1) i`,
		update: `UPDATE records SET data = '{"a":1}', version = version + 1`,
		keys:   `SELECT room_id || '|' || collection || '|' || id || '|' || version || '|' || user_id FROM records`,
		key: func(r realtime.ChangeRow) string {
			return fmt.Sprintf("%s|%s|%s|%d|%s", r.Room, r.Collection, r.ID, r.Version, r.Creator)
		},
	},
	{
		table: "users",
		insert: `INSERT INTO users (room_id, user_id, role)
			SELECT 'room-' || i % 20, 'user-' || lpad(i::text, 200, '0'), 'member' FROM generate_series(1, $1) i`,
		update: `UPDATE users SET role = 'viewer'`,
		keys:   `SELECT room_id || '|' || user_id FROM users`,
		key:    func(r realtime.ChangeRow) string { return r.Room + "|" + r.ID },
	},
	{
		table: "teams",
		insert: `INSERT INTO teams (room_id, id, name, created_by)
			SELECT 'room-' || i % 20, 'team-' || lpad(i::text, 100, '0'), 'Team', 'alice' FROM generate_series(1, $1) i`,
		update: `UPDATE teams SET name = 'Renamed'`,
		keys:   `SELECT room_id || '|' || id || '|' || created_by FROM teams`,
		key:    func(r realtime.ChangeRow) string { return r.Room + "|" + r.ID + "|" + r.Creator },
	},
	{
		table: "team_members",
		setup: `INSERT INTO teams (room_id, id, name, created_by) SELECT room_id, 'team', 'T', 'alice' FROM rooms`,
		insert: `INSERT INTO team_members (room_id, team_id, id, user_id, status, invited_by)
			SELECT 'room-' || i % 20, 'team', 'member-' || lpad(i::text, 100, '0'), 'user-' || i, 'active', 'alice'
			FROM generate_series(1, $1) i`,
		update: `UPDATE team_members SET role = 'admin'`,
		keys:   `SELECT room_id || '|' || team_id || '|' || id || '|' || user_id FROM team_members`,
		key:    func(r realtime.ChangeRow) string { return r.Room + "|" + r.Team + "|" + r.ID + "|" + r.User },
	},
	{
		table: "yjs_updates",
		insert: `INSERT INTO yjs_updates (room_id, name, update)
			SELECT 'room-' || i % 20, 'doc-' || lpad(i::text, 150, '0'), '\x00'::bytea FROM generate_series(1, $1) i`,
		update: `UPDATE yjs_updates SET update = '\x0000'::bytea`,
		keys:   `SELECT room_id || '|' || name || '|' || seq FROM yjs_updates`,
		key:    func(r realtime.ChangeRow) string { return r.Room + "|" + r.Name + "|" + strconv.FormatInt(r.Seq, 10) },
	},
}

// Every INSERT, UPDATE and DELETE statement, of one row or of a thousand, is announced by
// NOTIFY payloads that together name each changed key exactly once, each under 8000 bytes.
func TestTriggersNotifyEveryChangedKeyExactlyOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range triggerCases {
		t.Run(tc.table, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool := testdb.New(t).Pool(t)
			_, err := pool.Exec(ctx, `INSERT INTO rooms (room_id) SELECT 'room-' || i FROM generate_series(0, 19) i`)
			require.NoError(t, err)
			if tc.setup != "" {
				_, err = pool.Exec(ctx, tc.setup)
				require.NoError(t, err)
			}
			listen := listenConn(t, pool.Config().ConnConfig)

			for _, n := range []int{1, 1000} {
				run := func(op, sql string, args ...any) {
					before := queryKeys(t, pool, tc.keys)
					_, err := pool.Exec(ctx, sql, args...)
					require.NoError(t, err)
					want := before
					if op != "delete" {
						want = queryKeys(t, pool, tc.keys)
					}
					require.Len(t, want, n, "%s %d rows", op, n)
					got, payloads := receiveKeys(t, listen, tc.table, op, tc.key)
					require.Equal(t, want, got, "%s of %d rows", op, n)
					if n > 100 {
						require.Greater(t, payloads, 1, "a large statement is split into several payloads")
					}
				}
				run("insert", tc.insert, n)
				run("update", tc.update)
				run("delete", "DELETE FROM "+tc.table+" WHERE room_id LIKE 'room-%'")
			}
		})
	}
}

func listenConn(t *testing.T, cfg *pgx.ConnConfig) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	_, err = conn.Exec(ctx, "LISTEN "+realtime.Channel)
	require.NoError(t, err)
	return conn
}

func queryKeys(t *testing.T, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	require.NoError(t, err)
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	sort.Strings(keys)
	return keys
}

// receiveKeys reads notifications until a sentinel sent after them arrives (one session's
// notifications arrive in commit order), checking each payload, and returns the keys named and
// the number of payloads.
func receiveKeys(t *testing.T, conn *pgx.Conn, table, op string, key func(realtime.ChangeRow) string) ([]string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := conn.Exec(ctx, "SELECT pg_notify($1, 'sentinel')", realtime.Channel)
	require.NoError(t, err)
	var keys []string
	payloads := 0
	for {
		n, err := conn.WaitForNotification(ctx)
		require.NoError(t, err)
		if n.Payload == "sentinel" {
			break
		}
		require.Less(t, len(n.Payload), 8000)
		payloads++
		change, err := realtime.ParseChange(n.Payload)
		require.NoError(t, err)
		require.Equal(t, table, change.Table)
		require.Equal(t, op, change.Op)
		require.WithinDuration(t, time.Now(), change.Time(), time.Minute)
		for _, r := range change.Rows {
			keys = append(keys, key(r))
		}
	}
	sort.Strings(keys)
	return keys, payloads
}
