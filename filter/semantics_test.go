package filter_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

// fixture is a handful of records chosen to tell every semantic rule apart.
func fixture(t testing.TB) []filter.Doc {
	ms, us := time.Millisecond, time.Microsecond
	doc := func(id, user string, created time.Duration, data string) filter.Doc {
		return filter.Doc{ID: id, UserID: user, CreatedAt: t0.Add(created), UpdatedAt: t0.Add(time.Hour - created),
			Data: decodeData(t, data)}
	}
	return []filter.Doc{
		doc("n1", "alice", 1*ms+1*us, `{"n": 1, "s": "abc", "b": true, "z": null, "tags": ["a", "b"],
			"obj": {"x": 1, "y": [1, 2]}, "arr2": [[1, 2], [3]], "objs": [{"x": 1, "y": 2}]}`),
		doc("n2", "bob", 2*ms+500*us, `{"n": 1.0, "s": "ab", "b": false, "tags": ["c"], "obj": {"x": "1"},
			"addr": {"city": "Paris"}}`),
		doc("n3", "Alice", 3*ms+999*us, `{"n": 10, "s": "B", "tags": "a", "obj": {"y": [1, 2], "x": 1},
			"addr": {"city": "paris", "zip": "75"}}`),
		doc("n4", "ålice", 3*ms, `{"n": "1", "s": "", "tags": [], "arr": [10, 20], "num": {"0": "zero"}}`),
		doc("n5", "bob", time.Second, `{}`),
		doc("n6", "alice", 61*time.Second+5*ms, `{"n": -0.5, "s": "é", "tags": ["a", ["a"]],
			"deep": {"a": {"b": {"c": 1}}}, "arr": {"0": 10}, "weird key": 1, "a'; DROP TABLE records;--": "x"}`),
		doc("n7", "b", -1*ms, `{"n": 1e2, "s": "a%_", "z": 0, "big": 99999999999999999999}`),
	}
}

var semanticCases = []struct {
	where string
	want  []string
}{
	{`{}`, all},
	{`null`, all},
	{`{"n": 1}`, ids("n1 n2")},
	{`{"n": {"$eq": 1.00}}`, ids("n1 n2")},
	{`{"n": "1"}`, ids("n4")},
	{`{"n": 100}`, ids("n7")},
	{`{"n": 1e2}`, ids("n7")},
	{`{"z": null}`, ids("n1")},
	{`{"z": {"$exists": true}}`, ids("n1 n7")},
	{`{"z": {"$exists": false}}`, ids("n2 n3 n4 n5 n6")},
	{`{"z": {"$ne": null}}`, ids("n2 n3 n4 n5 n6 n7")},
	{`{"z": 0}`, ids("n7")},
	{`{"z": false}`, nil},
	{`{"b": true}`, ids("n1")},
	{`{"b": {"$ne": true}}`, ids("n2 n3 n4 n5 n6 n7")},
	{`{"s": {"$gt": "ab"}}`, ids("n1 n6")},
	{`{"s": {"$lt": "a"}}`, ids("n3 n4")},
	{`{"s": {"$gte": "B", "$lte": "a%_"}}`, ids("n3 n7")},
	{`{"n": {"$gt": 0}}`, ids("n1 n2 n3 n7")},
	{`{"n": {"$gte": 1, "$lt": 10}}`, ids("n1 n2")},
	{`{"n": {"$lt": "2"}}`, ids("n4")},
	{`{"n": {"$gt": -1, "$lt": 0}}`, ids("n6")},
	{`{"big": 99999999999999999999}`, ids("n7")},
	{`{"big": {"$gt": 99999999999999999998}}`, ids("n7")},
	{`{"big": {"$gt": 99999999999999999999}}`, nil},
	{`{"tags": "a"}`, ids("n3")},
	{`{"tags": ["a", "b"]}`, ids("n1")},
	{`{"tags": ["b", "a"]}`, nil},
	{`{"tags": []}`, ids("n4")},
	{`{"tags": {"$contains": "a"}}`, ids("n1 n6")},
	{`{"tags": {"$contains": ["a"]}}`, ids("n6")},
	{`{"tags": {"$contains": []}}`, nil},
	{`{"arr2": {"$contains": [1]}}`, nil},
	{`{"arr2": {"$contains": [1, 2]}}`, ids("n1")},
	{`{"arr2": {"$contains": 1}}`, nil},
	{`{"objs": {"$contains": {"x": 1}}}`, nil},
	{`{"objs": {"$contains": {"y": 2, "x": 1.0}}}`, ids("n1")},
	{`{"obj": {"x": 1, "y": [1, 2]}}`, ids("n1 n3")},
	{`{"obj": {"x": 1}}`, nil},
	{`{"obj": {}}`, nil},
	{`{"obj": {"$eq": {"$gt": 1}}}`, nil},
	{`{"obj.x": 1}`, ids("n1 n3")},
	{`{"obj.x": "1"}`, ids("n2")},
	{`{"obj.y": {"$contains": 2}}`, ids("n1 n3")},
	{`{"addr.city": "Paris"}`, ids("n2")},
	{`{"addr.city": {"$startsWith": "Par"}}`, ids("n2")},
	{`{"addr.zip": {"$exists": true}}`, ids("n3")},
	{`{"addr.city.x": {"$exists": false}}`, all},
	{`{"s": {"$startsWith": "a%"}}`, ids("n7")},
	{`{"s": {"$startsWith": "a_"}}`, nil},
	{`{"s": {"$startsWith": ""}}`, ids("n1 n2 n3 n4 n6 n7")},
	{`{"n": {"$startsWith": "1"}}`, ids("n4")},
	{`{"arr.0": 10}`, ids("n6")},
	{`{"arr.0": {"$exists": true}}`, ids("n6")},
	{`{"num.0": "zero"}`, ids("n4")},
	{`{"deep.a.b.c": 1}`, ids("n6")},
	{`{"deep.a.b": {"c": 1}}`, ids("n6")},
	{`{"weird key": 1}`, ids("n6")},
	{`{"a'; DROP TABLE records;--": "x"}`, ids("n6")},
	{`{"$or": [{"n": 10}, {"s": ""}]}`, ids("n3 n4")},
	{`{"$and": [{"n": 1}, {"b": false}]}`, ids("n2")},
	{`{"$not": {"n": 1}}`, ids("n3 n4 n5 n6 n7")},
	{`{"$not": {"n": {"$gt": 0}}}`, ids("n4 n5 n6")},
	{`{"$not": {}}`, nil},
	{`{"$not": {"$not": {"z": null}}}`, ids("n1")},
	{`{"n": {"$in": [10, "1", null]}}`, ids("n3 n4")},
	{`{"n": {"$nin": [1, 10]}}`, ids("n4 n5 n6 n7")},
	{`{"z": {"$in": [null]}}`, ids("n1")},
	{`{"tags": {"$in": [["c"], "a"]}}`, ids("n2 n3")},
	{`{"id": "n3"}`, ids("n3")},
	{`{"id": {"$in": ["n1", "n2", 5]}}`, ids("n1 n2")},
	{`{"id": {"$nin": ["n1"]}}`, ids("n2 n3 n4 n5 n6 n7")},
	{`{"id": {"$nin": [1]}}`, all},
	{`{"id": 5}`, nil},
	{`{"id": {"$ne": 5}}`, all},
	{`{"id": {"$exists": false}}`, nil},
	{`{"id": {"$contains": "n"}}`, nil},
	{`{"id": {"$gt": 1}}`, nil},
	{`{"userId": {"$gt": "alice"}}`, ids("n2 n4 n5 n7")},
	{`{"userId": {"$lt": "b"}}`, ids("n1 n3 n6")},
	{`{"userId": {"$startsWith": "A"}}`, ids("n3")},
	{`{"createdAt": "2026-11-27T10:00:00.003Z"}`, ids("n4")}, // the same instant as …00.003000Z
	{`{"createdAt": "2026-11-27T10:00:00.003999Z"}`, ids("n3")},
	{`{"createdAt": "2026-11-27T11:00:00.003999+01:00"}`, ids("n3")}, // any RFC 3339 offset
	{`{"createdAt": {"$gt": "2026-11-27T10:00:00.003Z"}}`, ids("n3 n5 n6")},
	{`{"createdAt": {"$lte": "2026-11-27T10:00:00.0025Z"}}`, ids("n1 n2 n7")},
	{`{"createdAt": {"$lt": "2026-11-27T10:00"}}`, ids("n7")},
	{`{"createdAt": {"$startsWith": "2026-11-27T10:00:0"}}`, ids("n1 n2 n3 n4 n5")},
	{`{"updatedAt": {"$gte": "2026-11-27T10:59:59.997Z"}}`, ids("n1 n2 n4 n7")},
	{`{"createdAt": {"$in": ["2026-11-27T10:00:01.000Z", "x"]}}`, ids("n5")},
}

var all = ids("n1 n2 n3 n4 n5 n6 n7")

func ids(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ' ' {
			i++
		}
		out = append(out, s[:i])
		s = s[min(i+1, len(s)):]
	}
	return out
}

func TestMatchSemantics(t *testing.T) {
	t.Parallel()
	docs := fixture(t)
	for _, c := range semanticCases {
		w, err := filter.Parse([]byte(c.where))
		require.NoError(t, err, c.where)
		require.Equal(t, sortedCopy(c.want), nilIfEmpty(matchIDs(w, docs)), c.where)
	}
}

// TestSQLSemantics runs the same cases through Postgres, on a database with the default
// collation and on one with ICU en-US, where a comparison not made byte-wise would show.
func TestSQLSemantics(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *pgxpool.Pool{"default": openRoom, "icu": openICURoom} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pool := open(t)
			docs := insertDocs(t, pool, fixture(t))
			for _, c := range semanticCases {
				w, err := filter.Parse([]byte(c.where))
				require.NoError(t, err)
				got, sql, err := query{where: w}.run(context.Background(), pool)
				require.NoError(t, err, sql)
				require.Equal(t, sortedCopy(c.want), nilIfEmpty(sortedCopy(got)), "%s\n%s", c.where, sql)
				// Read back from Postgres, the documents still match as before.
				require.Equal(t, sortedCopy(c.want), nilIfEmpty(matchIDs(w, docs)), c.where)
			}
		})
	}
}

var orderCases = []struct {
	orderBy string
	want    []string
}{
	{``, ids("n7 n1 n2 n4 n3 n5 n6")},
	{`[{"field": "createdAt", "dir": "desc"}]`, ids("n6 n5 n3 n4 n2 n1 n7")},
	{`[{"field": "n"}]`, ids("n5 n6 n1 n2 n3 n7 n4")},
	{`[{"field": "n", "dir": "desc"}]`, ids("n4 n7 n3 n1 n2 n6 n5")},
	{`[{"field": "s"}]`, ids("n5 n4 n3 n7 n2 n1 n6")},
	{`[{"field": "tags"}]`, ids("n5 n7 n3 n1 n2 n4 n6")},
	{`[{"field": "b"}]`, ids("n3 n4 n5 n6 n7 n2 n1")},
	{`[{"field": "z", "dir": "asc"}]`, ids("n2 n3 n4 n5 n6 n1 n7")},
	{`[{"field": "userId"}, {"field": "createdAt", "dir": "desc"}]`, ids("n3 n6 n1 n7 n5 n2 n4")},
	{`[{"field": "obj.x", "dir": "desc"}, {"field": "id", "dir": "desc"}]`, ids("n2 n3 n1 n7 n6 n5 n4")},
}

func TestOrderSemantics(t *testing.T) {
	t.Parallel()
	docs := fixture(t)
	for _, c := range orderCases {
		o, err := filter.ParseOrder([]byte(c.orderBy))
		require.NoError(t, err)
		got := append([]filter.Doc{}, docs...)
		sort.SliceStable(got, func(i, j int) bool { return o.Compare(got[i], got[j]) < 0 })
		require.Equal(t, c.want, docIDs(got), c.orderBy)
	}
}

func TestOrderSQLSemantics(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *pgxpool.Pool{"default": openRoom, "icu": openICURoom} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pool := open(t)
			insertDocs(t, pool, fixture(t))
			for _, c := range orderCases {
				o, err := filter.ParseOrder([]byte(c.orderBy))
				require.NoError(t, err)
				got, sql, err := query{order: &o}.run(context.Background(), pool)
				require.NoError(t, err, sql)
				require.Equal(t, c.want, got, "%s\n%s", c.orderBy, sql)
			}
		})
	}
}

func docIDs(docs []filter.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestExtremeNumbersRunInSQL: every number Parse accepts is one Postgres accepts, in every place
// a where-object or a cursor can put it.
func TestExtremeNumbersRunInSQL(t *testing.T) {
	t.Parallel()
	pool := openRoom(t)
	docs := insertDocs(t, pool, []filter.Doc{
		{ID: "tiny", UserID: "u", CreatedAt: t0, UpdatedAt: t0, Data: decodeData(t, `{"n": 1e-16383, "t": [1e-16383]}`)},
		{ID: "huge", UserID: "u", CreatedAt: t0, UpdatedAt: t0, Data: decodeData(t, `{"n": 1e131071, "t": [{"x": 1e131071}]}`)},
		{ID: "zero", UserID: "u", CreatedAt: t0, UpdatedAt: t0, Data: decodeData(t, `{"n": 0e-16383}`)},
	})
	for _, n := range []string{"1e-16383", "1e131071", "0e-16383", "-1e131071", "0e999999"} {
		for _, where := range []string{
			`{"n": %s}`, `{"n": {"$gt": %s}}`, `{"n": {"$lte": %s}}`, `{"n": {"$in": [%s, 2]}}`,
			`{"t": {"$contains": %s}}`, `{"t": {"$contains": {"x": %s}}}`, `{"n": {"$ne": [%s]}}`,
		} {
			where = fmt.Sprintf(where, n)
			w, err := filter.Parse([]byte(where))
			require.NoError(t, err, where)
			got, sql, err := query{where: w}.run(context.Background(), pool)
			require.NoError(t, err, sql)
			require.Equal(t, matchIDs(w, docs), sortedCopy(got), where)
		}
	}
	o, err := filter.ParseOrder([]byte(`[{"field": "n", "dir": "desc"}]`))
	require.NoError(t, err)
	for _, d := range docs {
		_, sql, err := query{order: &o, after: o.Cursor(d)}.run(context.Background(), pool)
		require.NoError(t, err, sql)
	}
}
