package records_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// bigRoom makes room "r" with a collection "big" of n records ({"status": "s<i%100>", "n": i})
// and a collection "small" of 10, analysed, and returns the database's URL.
func bigRoom(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	url := testdb.New(t).URL
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(ctx, "INSERT INTO rooms (room_id) VALUES ('r')")
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		n    int
	}{{"big", n}, {"small", 10}} {
		_, err = pool.Exec(ctx, `INSERT INTO records (room_id, collection, id, user_id, data, created_at)
			SELECT 'r', $1, 'id' || i, 'alice', jsonb_build_object('status', 's' || (i % 100), 'n', i),
				now() - (i || ' ms')::interval
			FROM generate_series(1, $2::int) AS i`, c.name, c.n)
		require.NoError(t, err)
	}
	_, err = pool.Exec(ctx, "ANALYZE records")
	require.NoError(t, err)
	return url
}

func serviceWith(t *testing.T, url string, limits records.Limits) *records.Service {
	t.Helper()
	database, err := db.Open(context.Background(), url, db.Options{})
	require.NoError(t, err)
	t.Cleanup(database.Close)
	s, err := records.New(database, nil, limits)
	require.NoError(t, err)
	return s
}

func list(s *records.Service, collection, where, orderBy string, limit int) (records.Page, error) {
	q := records.Query{Limit: limit}
	if where != "" {
		q.Where = json.RawMessage(where)
	}
	if orderBy != "" {
		q.OrderBy = json.RawMessage(orderBy)
	}
	return s.Query(context.Background(), alice, "r", collection, q)
}

// A query no index narrows, over a ceiling set low, is refused with `limit` and a message that
// names the reason and the setting; an indexed query, or any query of a small collection, passes.
func TestCostLimitRefusesUnindexedQueries(t *testing.T) {
	t.Parallel()
	url := bigRoom(t, 20000)
	s := serviceWith(t, url, records.Limits{MaxCost: 200})

	for _, c := range []struct{ where, orderBy string }{
		{where: `{"n": {"$gt": 5}}`, orderBy: `[{"field": "n"}]`},
		{where: `{"n": {"$lt": 5}}`, orderBy: `[{"field": "n", "dir": "desc"}]`},
		{orderBy: `[{"field": "n"}]`},
	} {
		_, err := list(s, "big", c.where, c.orderBy, 50)
		require.Error(t, err, "%+v", c)
		e := protocol.ErrorOf(err)
		require.Equal(t, protocol.Limit, e.Code, "%+v: %v", c, err)
		require.Contains(t, e.Message, "no index narrows it")
		require.Contains(t, e.Message, "RECORDROOM_QUERY_MAX_COST=200")

		// The verdict is the same the second time (from the cache) and on a later page.
		_, again := list(s, "big", c.where, c.orderBy, 50)
		require.Equal(t, e, protocol.ErrorOf(again))
	}

	// The planner cannot know how many records an unindexed condition keeps; it guesses, and
	// walking the createdAt index until the page is full looks cheap to it: not refused (the
	// query timeout is the bound for a guess that turns out wrong).
	for _, c := range []struct{ collection, where, orderBy string }{
		{collection: "big", where: `{"n": {"$gt": 5}}`},
		{collection: "big", where: `{"status": "s7"}`},                  // the GIN index
		{collection: "big", where: `{"status": {"$in": ["s1", "s2"]}}`}, // the GIN index
		{collection: "big"}, // createdAt order, by index
		{collection: "big", orderBy: `[{"field": "createdAt", "dir": "desc"}]`}, // the same, backwards
		{collection: "small", where: `{"n": {"$gt": 5}}`},                       // cheap anyway
		{collection: "small", orderBy: `[{"field": "n", "dir": "desc"}]`},       // cheap anyway
	} {
		page, err := list(s, c.collection, c.where, c.orderBy, 50)
		require.NoError(t, err, "%+v", c)
		require.NotEmpty(t, page.Records, "%+v", c)
	}

	// With no ceiling the same unindexed query runs.
	page, err := list(serviceWith(t, url, records.Limits{}), "big", `{"n": {"$gt": 5}}`, `[{"field": "n"}]`, 50)
	require.NoError(t, err)
	require.Len(t, page.Records, 50)
}

// A list query that runs longer than the query timeout is cancelled and answered `limit`,
// naming RECORDROOM_QUERY_TIMEOUT.
func TestQueryTimeoutAnswersLimit(t *testing.T) {
	t.Parallel()
	url := bigRoom(t, 20000)
	s := serviceWith(t, url, records.Limits{Timeout: 1}) // 1ns: rounded up to 1ms, too short for a scan and sort
	_, err := list(s, "big", `{"n": {"$gt": 5}}`, `[{"field": "n", "dir": "desc"}]`, 1000)
	require.Error(t, err)
	e := protocol.ErrorOf(err)
	require.Equal(t, protocol.Limit, e.Code, "%v", err)
	require.Contains(t, e.Message, "RECORDROOM_QUERY_TIMEOUT=1ns")
}
