package filter_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

// Select's SQL holds no value of its own: room, collection, owner, where-values, cursor values
// and the limit are all parameters, every placeholder is in range and used, and the owner scope
// and the LIMIT appear only when asked for.
func TestSelectSQLPassesEveryValueAsAParameter(t *testing.T) {
	t.Parallel()
	hostile := "x'); DROP TABLE records; --"
	w, err := filter.Parse([]byte(`{"title": ` + strconv.Quote(hostile) + `, "n": {"$gte": 2}}`))
	require.NoError(t, err)
	o, err := filter.ParseOrder([]byte(`[{"field": "n", "dir": "desc"}]`))
	require.NoError(t, err)
	s := filter.Select{
		Room: "r" + hostile, Collection: "c" + hostile, Where: w, Order: o,
		OwnerScoped: true, Owner: "bob" + hostile, After: o.Cursor(sampleDocs(t)[0]), Limit: 10,
	}
	clauses, args, err := s.SQL()
	require.NoError(t, err)
	require.NotContains(t, clauses, "DROP", clauses)
	require.True(t, strings.HasPrefix(clauses, "WHERE room_id = $1 AND collection = $2 AND ("), clauses)
	require.Equal(t, []any{s.Room, s.Collection}, args[:2])
	require.Contains(t, args, s.Owner)
	require.Contains(t, clauses, "ORDER BY "+o.SQL()+" LIMIT $"+strconv.Itoa(len(args)))
	require.Equal(t, 10, args[len(args)-1])
	requirePlaceholders(t, clauses, len(args))

	// Without owner scope, cursor or limit, their conditions and parameters are gone.
	bare := filter.Select{Room: "r", Collection: "c", Where: w, Order: o}
	clauses, args, err = bare.SQL()
	require.NoError(t, err)
	require.NotContains(t, clauses, "LIMIT")
	require.NotContains(t, clauses, "user_id")
	require.NotContains(t, args, s.Owner)
	requirePlaceholders(t, clauses, len(args))
	withCursor := bare
	withCursor.After = s.After
	_, cursorArgs, err := withCursor.SQL()
	require.NoError(t, err)
	require.Greater(t, len(cursorArgs), len(args), "the cursor's values are parameters too")

	// A nil where-object selects every record of the collection.
	clauses, args, err = filter.Select{Room: "r", Collection: "c"}.SQL()
	require.NoError(t, err)
	require.Equal(t, `WHERE room_id = $1 AND collection = $2 AND (true) ORDER BY created_at ASC, id COLLATE "C" ASC`, clauses)
	require.Equal(t, []any{"r", "c"}, args)

	// A cursor that does not decode is the caller's error, named "after".
	bad := bare
	bad.After = "not a cursor"
	_, _, err = bad.SQL()
	var fe *filter.Error
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "after", fe.Path)
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// requirePlaceholders checks that sql uses exactly the placeholders $1..$n.
func requirePlaceholders(t *testing.T, sql string, n int) {
	t.Helper()
	used := map[int]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		i, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		require.True(t, i >= 1 && i <= n, "placeholder $%d out of range in %s", i, sql)
		used[i] = true
	}
	require.Len(t, used, n, "every parameter is used in %s", sql)
}

// Paging with Select returns exactly what Match, the owner rule and Compare say, page after
// page, and nothing of another collection or another owner.
func TestSelectPagesThroughOneOwnersMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := openRoom(t)
	owners := []string{"alice", "bob", "carol"}
	var docs []filter.Doc
	for i := range 40 {
		docs = append(docs, filter.Doc{ID: fmt.Sprintf("d%02d", i), UserID: owners[i%3],
			CreatedAt: t0.Add(time.Duration(i%5) * time.Second), UpdatedAt: t0,
			Data: decodeData(t, fmt.Sprintf(`{"n": %d, "even": %t}`, i%7, i%2 == 0))})
	}
	docs = insertDocs(t, pool, docs)
	_, err := pool.Exec(ctx, `INSERT INTO records (room_id, collection, id, user_id, data) VALUES ($1, 'other', 'd00', 'alice', '{"n": 5}')`, testRoom)
	require.NoError(t, err)
	byID := map[string]filter.Doc{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	run := func(s filter.Select) []string {
		clauses, args, err := s.SQL()
		require.NoError(t, err)
		rows, err := pool.Query(ctx, "SELECT id FROM records "+clauses, args...)
		require.NoError(t, err)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err, clauses)
		return ids
	}

	w, err := filter.Parse([]byte(`{"n": {"$gte": 2}}`))
	require.NoError(t, err)
	o, err := filter.ParseOrder([]byte(`[{"field": "even", "dir": "desc"}, {"field": "n"}]`))
	require.NoError(t, err)
	for _, owner := range []string{"alice", "bob"} {
		var mine []filter.Doc
		for _, d := range docs {
			if d.UserID == owner && w.Match(d) {
				mine = append(mine, d)
			}
		}
		want := sortDocs(o, mine)
		require.NotEmpty(t, want)
		s := filter.Select{Room: testRoom, Collection: testCollection, Where: w, Order: o, OwnerScoped: true, Owner: owner, Limit: 3}
		var got []string
		for {
			page := run(s)
			got = append(got, page...)
			if len(page) < s.Limit {
				break
			}
			s.After = o.Cursor(byID[page[len(page)-1]])
		}
		require.Equal(t, want, got, owner)
	}

	// An empty owner owns nothing; no owner scope selects every owner's matches.
	require.Empty(t, run(filter.Select{Room: testRoom, Collection: testCollection, Where: w, OwnerScoped: true}))
	require.Equal(t, matchIDs(w, docs), sortedCopy(run(filter.Select{Room: testRoom, Collection: testCollection, Where: w})))
}
