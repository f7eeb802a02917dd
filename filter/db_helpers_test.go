package filter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/internal/testdb"
)

const (
	testRoom       = "room-1"
	testCollection = "things"
)

// openRoom returns a pool on a fresh migrated database holding the test room.
func openRoom(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testdb.New(t).Pool(t)
	addRoom(t, pool)
	return pool
}

func addRoom(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(context.Background(), "INSERT INTO rooms (room_id) VALUES ($1)", testRoom)
	require.NoError(t, err)
}

// openICURoom is openRoom on a database whose default collation is ICU en-US, where text
// compares case-insensitively first: any comparison the compiler forgets to make byte-wise
// (COLLATE "C") orders differently here than in Go. It skips when the server has no ICU.
func openICURoom(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testdb.NewICU(t).Pool(t)
	addRoom(t, pool)
	return pool
}

// insertDocs stores docs in the test collection and returns them as read back, the way the
// server sees records: data decoded from Postgres' rendering of the jsonb, with UseNumber.
func insertDocs(t *testing.T, pool *pgxpool.Pool, docs []filter.Doc) []filter.Doc {
	t.Helper()
	ctx := context.Background()
	rows := make([][]any, len(docs))
	for i, d := range docs {
		data, err := json.Marshal(d.Data)
		require.NoError(t, err)
		if d.Data == nil {
			data = []byte("{}")
		}
		rows[i] = []any{testRoom, testCollection, d.ID, d.UserID, string(data), d.CreatedAt, d.UpdatedAt}
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"records"},
		[]string{"room_id", "collection", "id", "user_id", "data", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	require.NoError(t, err)
	return loadDocs(t, pool)
}

func loadDocs(t *testing.T, pool *pgxpool.Pool) []filter.Doc {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		"SELECT id, user_id, data::text, created_at, updated_at FROM records WHERE room_id = $1 AND collection = $2 ORDER BY id COLLATE \"C\"",
		testRoom, testCollection)
	require.NoError(t, err)
	var out []filter.Doc
	for rows.Next() {
		var (
			d    filter.Doc
			data string
		)
		require.NoError(t, rows.Scan(&d.ID, &d.UserID, &data, &d.CreatedAt, &d.UpdatedAt))
		d.Data = decodeData(t, data)
		out = append(out, d)
	}
	require.NoError(t, rows.Err())
	return out
}

func decodeData(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

// queryIDs runs the records query with the where-object's SQL, extra conditions, an order and a
// limit, and returns the ids in the order Postgres returned them.
type query struct {
	where *filter.Where
	order *filter.Order
	after string
	limit int
}

func (q query) run(ctx context.Context, pool *pgxpool.Pool) ([]string, string, error) {
	p := filter.Params{testRoom, testCollection}
	sql := "SELECT id FROM records WHERE room_id = $1 AND collection = $2"
	if q.where != nil {
		sql += " AND " + q.where.SQL(&p)
	}
	if q.after != "" {
		cond, err := q.order.AfterSQL(q.after, &p)
		if err != nil {
			return nil, sql, err
		}
		sql += " AND " + cond
	}
	if q.order != nil {
		sql += " ORDER BY " + q.order.SQL()
	}
	if q.limit > 0 {
		p = append(p, q.limit)
		sql += " LIMIT $" + strconv.Itoa(len(p))
	}
	rows, err := pool.Query(ctx, sql, p...)
	if err != nil {
		return nil, sql, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, sql, err
}

// matchIDs is the ids of docs that w matches, sorted.
func matchIDs(w *filter.Where, docs []filter.Doc) []string {
	var ids []string
	for _, d := range docs {
		if w.Match(d) {
			ids = append(ids, d.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func sortedCopy(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := append([]string{}, ids...)
	sort.Strings(out)
	return out
}

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
