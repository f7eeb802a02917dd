package db_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
)

var roomTables = []string{"records", "users", "teams", "team_members", "yjs_docs", "yjs_updates", "files"}

// Migrations must run as an ordinary role that owns its database: managed Postgres gives no
// superuser. Up, down to nothing, and up again must all work.
func TestMigrateUpDownUpAsOwnerWithoutSuperuser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	server := testdb.ServerURL(t)
	role := "recordroom_test_owner_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	admin, err := pgx.Connect(ctx, server)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
	require.NoError(t, err)
	// Cleanups run last-in first-out: the role is dropped after its database.
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP ROLE "+pgx.Identifier{role}.Sanitize())
		require.NoError(t, err)
		admin.Close(ctx)
	})
	tdb := testdb.NewEmpty(t, role)
	url := testdb.WithUser(t, tdb.URL, role)

	m, err := db.NewMigrator(url)
	require.NoError(t, err)
	defer m.Close()

	n, err := m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, testdb.MigrationCount(t), n)
	assertPartitioned(t, url)

	require.NoError(t, m.DownTo(ctx, 0))
	v, err := m.Version(ctx)
	require.NoError(t, err)
	require.Zero(t, v)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	var left int
	require.NoError(t, conn.QueryRow(ctx,
		"SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname <> 'goose_db_version' AND relname NOT LIKE 'goose_db_version%'").Scan(&left))
	conn.Close(ctx)
	require.Zero(t, left, "down migrations leave nothing behind")

	n, err = m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, testdb.MigrationCount(t), n)
	assertPartitioned(t, url)
}

// assertPartitioned checks that every room table is hash-partitioned on room_id with 16
// partitions and a primary key that starts with room_id.
func assertPartitioned(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, table := range roomTables {
		var strategy, keyColumn string
		var partitions int
		err := conn.QueryRow(ctx, `
			SELECT p.partstrat::text, a.attname,
			       (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)
			FROM pg_partitioned_table p
			JOIN pg_class c ON c.oid = p.partrelid
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
			WHERE c.relname = $1 AND p.partnatts = 1`, table).Scan(&strategy, &keyColumn, &partitions)
		require.NoError(t, err, table)
		require.Equal(t, "h", strategy, table)
		require.Equal(t, "room_id", keyColumn, table)
		require.Equal(t, 16, partitions, table)

		var firstKey string
		err = conn.QueryRow(ctx, `
			SELECT a.attname
			FROM pg_constraint k
			JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
			WHERE k.conrelid = $1::regclass AND k.contype = 'p'`, table).Scan(&firstKey)
		require.NoError(t, err, table)
		require.Equal(t, "room_id", firstKey, table)
	}
}

// Migration 00007 deletes the field documents that records deleted before it left behind, and
// nothing else: not a live record's, not a name of another shape.
func TestMigrateDeletesOrphanedFieldDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tdb := testdb.New(t)
	pool := tdb.Pool(t)
	_, err := pool.Exec(ctx, `INSERT INTO rooms (room_id) VALUES ('r');
		INSERT INTO records (room_id, collection, id, user_id, data) VALUES ('r', 'tasks', 'x', 'u', '{}')`)
	require.NoError(t, err)
	names := map[string]bool{ // name → kept
		"tasks/x/body": true, "tasks/y/body": false, "tasks/x_/body": false,
		"tasks/y/a/b": true, "tasks/y": true, "notes": true,
	}
	for name := range names {
		_, err := pool.Exec(ctx, `INSERT INTO yjs_docs (room_id, name, state, state_vector) VALUES ('r', $1, '\x0000', '\x00')`, name)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, `INSERT INTO yjs_updates (room_id, name, update) VALUES ('r', $1, '\x0000')`, name)
		require.NoError(t, err)
	}

	m, err := db.NewMigrator(tdb.URL)
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.DownTo(ctx, 6)) // 00007 undoes nothing; Up runs it on these rows
	n, err := m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, testdb.MigrationCount(t)-6, n)

	for name, kept := range names {
		var docs, updates int
		err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM yjs_docs WHERE name = $1),
			(SELECT count(*) FROM yjs_updates WHERE name = $1)`, name).Scan(&docs, &updates)
		require.NoError(t, err)
		want := 0
		if kept {
			want = 1
		}
		require.Equal(t, [2]int{want, want}, [2]int{docs, updates}, name)
	}
}
