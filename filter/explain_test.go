package filter_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

// TestGINIndexServesEqualityAndContains: equality, $in and $contains compile to a containment
// that the GIN index records_data_idx (jsonb_path_ops; on each partition records_pNN_data_idx)
// answers. Sequential scans are off so the plan shows whether the index can be used at all.
func TestGINIndexServesEqualityAndContains(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := openRoom(t)
	docs := make([]filter.Doc, 3000)
	for i := range docs {
		docs[i] = filter.Doc{ID: fmt.Sprintf("r%04d", i), UserID: "u", CreatedAt: t0, UpdatedAt: t0,
			Data: decodeData(t, fmt.Sprintf(`{"status": "s%d", "n": %d, "tags": ["t%d", "common"], "obj": {"k": %d}, "pairs": [[%d, 1]]}`,
				i%300, i, i%1000, i, i))}
	}
	insertDocs(t, pool, docs)
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "ANALYZE records")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "SET enable_seqscan = off")
	require.NoError(t, err)

	explain := func(sql string, p filter.Params) string {
		rows, err := conn.Query(ctx, "EXPLAIN "+sql, p...)
		require.NoError(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return strings.Join(lines, "\n")
	}
	gin := regexp.MustCompile(`Bitmap Index Scan on records_p\d\d_data_idx`)
	for _, c := range []struct {
		where string
		// roomScan: in a room of this size the planner may prefer reading the whole room by
		// the primary key; the condition alone must still be answered by the GIN index.
		roomScan bool
	}{
		{where: `{"status": "s7"}`},
		{where: `{"obj.k": 3}`},
		{where: `{"obj": {"k": 3}}`},
		{where: `{"status": {"$eq": "s7"}, "n": {"$gt": 5}}`},
		{where: `{"status": {"$in": ["s1", "s2"]}}`},
		{where: `{"tags": {"$contains": "t5"}}`},
		{where: `{"pairs": {"$contains": [3, 1]}}`},
		{where: `{"$or": [{"status": "s1"}, {"tags": {"$contains": "t2"}}]}`, roomScan: true},
	} {
		where := c.where
		w, err := filter.Parse([]byte(where))
		require.NoError(t, err)
		var p filter.Params
		plan := explain("SELECT id FROM records WHERE "+w.SQL(&p), p)
		require.Regexp(t, gin, plan, "%s\n%s", where, plan)
		p = filter.Params{testRoom, testCollection}
		plan = explain("SELECT id FROM records WHERE room_id = $1 AND collection = $2 AND "+w.SQL(&p), p)
		if !c.roomScan {
			require.Regexp(t, gin, plan, "%s\n%s", where, plan)
		}

		// And the plan returns what Match says.
		got, _, err := query{where: w}.run(ctx, pool)
		require.NoError(t, err)
		require.Equal(t, matchIDs(w, docs), sortedCopy(got), where)
	}
}
