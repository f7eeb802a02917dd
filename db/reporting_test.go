package db_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
)

// reportingSeed is the database docs/reporting.md's example answers are computed from.
const reportingSeed = `
INSERT INTO rooms (room_id) VALUES ('r1'), ('r2'), ('r3');
INSERT INTO records (room_id, collection, id, user_id, data) VALUES
  ('r1', 'tasks', 't1', 'alice', '{"points": 3}'),
  ('r1', 'tasks', 't2', 'bob', '{"points": 5}'),
  ('r1', 'tasks', 't3', 'bob', '{"points": 1, "done": true}'),
  ('r1', 'notes', 'n1', 'alice', '{"text": "hi"}'),
  ('r2', 'tasks', 't1', 'alice', '{"points": 8}'),
  ('r2', 'tasks', 't2', 'carol', '{"points": 2, "done": false}'),
  ('r3', 'notes', 'n1', 'dave', '{"points": "many"}');
INSERT INTO users (room_id, user_id, role, first_seen_at, last_seen_at) VALUES
  ('r1', 'alice', 'admin', '2026-11-20T10:00:00Z', '2026-11-25T10:00:00Z'),
  ('r1', 'bob', 'member', '2026-11-21T10:00:00Z', '2026-11-26T09:00:00Z'),
  ('r2', 'alice', 'admin', '2026-11-22T10:00:00Z', '2026-11-26T12:00:00Z'),
  ('r2', 'carol', 'member', '2026-11-22T11:00:00Z', '2026-11-26T23:59:00Z'),
  ('r3', 'dave', 'admin', '2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z');
INSERT INTO teams (room_id, id, name, created_by) VALUES ('r1', 'design', 'Design', 'alice');
INSERT INTO team_members (room_id, team_id, id, user_id, email, status, invited_by) VALUES
  ('r1', 'design', 'm1', 'alice', NULL, 'active', 'alice'),
  ('r1', 'design', 'm2', 'bob', NULL, 'active', 'alice'),
  ('r1', 'design', 'm3', NULL, 'erin@example.org', 'pending', 'alice');
INSERT INTO files (room_id, scope_key, path, size, content_type, etag, created_by) VALUES
  ('r1', 'widgets/w1', 'logo.png', 1000, 'image/png', 'e1', 'alice'),
  ('r1', 'users/alice', 'cv.pdf', 5000, 'application/pdf', 'e2', 'alice'),
  ('r2', 'widgets/w1', 'a.txt', 10, 'text/plain', 'e3', 'carol');
`

var reportingViews = []string{"records", "users", "teams", "team_members", "files"}

// A granted role reads every view across rooms, and cannot read a table or write anything.
func TestReportingRoleReadsViewsOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role := newLoginRole(t)
	tdb := testdb.New(t)
	owner := tdb.Pool(t)
	_, err := owner.Exec(ctx, reportingSeed)
	require.NoError(t, err)

	database, err := db.Open(ctx, tdb.URL, db.Options{})
	require.NoError(t, err)
	defer database.Close()
	analyst := connect(t, testdb.WithUser(t, tdb.URL, role))
	_, err = analyst.Exec(ctx, "SELECT 1 FROM reporting.records")
	requireDenied(t, err, "before the grant")

	require.NoError(t, database.ReportingGrant(ctx, role))
	require.NoError(t, database.ReportingGrant(ctx, role), "granting twice is harmless")
	require.ErrorContains(t, database.ReportingGrant(ctx, "no_such_role_"+role), "does not exist")

	for _, v := range reportingViews {
		var rooms int
		require.NoError(t, analyst.QueryRow(ctx, "SELECT count(DISTINCT room_id) FROM reporting."+v).Scan(&rooms), v)
		require.Positive(t, rooms, v)
	}
	for _, stmt := range []string{
		"SELECT * FROM records", "SELECT * FROM public.users", "SELECT * FROM rooms", "SELECT * FROM files_p00",
		"INSERT INTO reporting.records (room_id, collection, id, user_id, data) VALUES ('r1', 'x', 'x', 'x', '{}')",
		"UPDATE reporting.users SET role = 'admin'", "DELETE FROM reporting.files",
		"INSERT INTO records (room_id, collection, id, user_id, data) VALUES ('r1', 'x', 'x', 'x', '{}')",
		"CREATE TABLE reporting.mine (x int)", "CREATE TABLE public.mine (x int)",
		"SELECT recordroom_reporting_grant('" + role + "')",
		"SELECT recordroom_publish('awareness', 'update', ARRAY['{}'])", "SELECT key FROM recordroom_notify_key",
	} {
		_, err := analyst.Exec(ctx, stmt)
		requireDenied(t, err, stmt)
	}
	var n int
	require.NoError(t, owner.QueryRow(ctx, "SELECT count(*) FROM records").Scan(&n))
	require.Equal(t, 7, n, "nothing was written")
}

// Every example query of docs/reporting.md answers, as a granted role, what the document says.
func TestReportingDocExamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role := newLoginRole(t)
	tdb := testdb.New(t)
	_, err := tdb.Pool(t).Exec(ctx, reportingSeed)
	require.NoError(t, err)
	database, err := db.Open(ctx, tdb.URL, db.Options{})
	require.NoError(t, err)
	defer database.Close()
	require.NoError(t, database.ReportingGrant(ctx, role))
	analyst := connect(t, testdb.WithUser(t, tdb.URL, role))

	doc, err := os.ReadFile("../docs/reporting.md")
	require.NoError(t, err)
	examples := regexp.MustCompile("(?s)```sql\n(.*?)```\\s*```text\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	require.Len(t, examples, 6)
	for _, ex := range examples {
		got := queryText(t, analyst, ex[1])
		require.Equal(t, normalTable(ex[2]), got, "query:\n%s", ex[1])
	}
}

// queryText runs sql and renders its answer as "col | col" lines, values as Postgres prints them.
func queryText(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, pgx.QueryExecModeSimpleProtocol)
	require.NoError(t, err, sql)
	defer rows.Close()
	var cols []string
	for _, f := range rows.FieldDescriptions() {
		cols = append(cols, f.Name)
	}
	out := []string{strings.Join(cols, " | ")}
	for rows.Next() {
		var vals []string
		for _, raw := range rows.RawValues() {
			vals = append(vals, string(raw))
		}
		out = append(out, strings.Join(vals, " | "))
	}
	require.NoError(t, rows.Err())
	return out
}

// normalTable reads a psql-style table of the docs: padding around | does not count.
func normalTable(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		cells := strings.Split(line, "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

func newLoginRole(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	role := "recordroom_test_analyst_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	admin := connect(t, testdb.ServerURL(t))
	_, err := admin.Exec(ctx, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
	require.NoError(t, err)
	// Cleanups run last-in first-out: registered first, the role is dropped after its database.
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP ROLE "+pgx.Identifier{role}.Sanitize())
		require.NoError(t, err)
	})
	return role
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func requireDenied(t *testing.T, err error, what string) {
	t.Helper()
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%s: want permission denied, got %v", what, err)
	require.Equal(t, "42501", pgErr.Code, "%s: %v", what, err)
}

// An operator's role with rights on the tables writes through the notify triggers, which publish
// as their owner: the publishing function itself is the owner's alone.
func TestOperatorRoleWritesThroughTheTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role := newLoginRole(t)
	tdb := testdb.New(t)
	owner := tdb.Pool(t)
	_, err := owner.Exec(ctx, "INSERT INTO rooms (room_id) VALUES ('r1'); GRANT INSERT, UPDATE, DELETE, SELECT ON records, rooms TO "+pgx.Identifier{role}.Sanitize())
	require.NoError(t, err)
	operator := connect(t, testdb.WithUser(t, tdb.URL, role))
	_, err = operator.Exec(ctx, "INSERT INTO records (room_id, collection, id, user_id, data) VALUES ('r1', 'tasks', 't1', 'op', '{}')")
	require.NoError(t, err, "the trigger publishes as its owner")
	_, err = operator.Exec(ctx, "UPDATE rooms SET schema = NULL WHERE room_id = 'r1'")
	require.NoError(t, err)
	_, err = operator.Exec(ctx, "SELECT recordroom_publish('records', 'insert', ARRAY['{}'])")
	requireDenied(t, err, "calling the publisher directly")
}
