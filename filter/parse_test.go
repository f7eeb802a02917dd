package filter_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

func TestParseAcceptsEveryOperator(t *testing.T) {
	t.Parallel()
	for _, where := range []string{
		``, `   `, `null`, `{}`,
		`{"status": "done"}`,
		`{"status": {"$eq": "done"}}`,
		`{"status": {"$ne": null}}`,
		`{"n": {"$gt": 1, "$gte": 1.5, "$lt": "z", "$lte": -1e3}}`,
		`{"n": {"$in": [1, "a", null, [1], {"a": 1}]}}`,
		`{"n": {"$nin": [{"$gt": 1}]}}`,
		`{"n": {"$exists": false}}`,
		`{"tags": {"$contains": {"$x": 1}}}`,
		`{"title": {"$startsWith": ""}}`,
		`{"address.city": "Paris", "id": "t1", "userId": "alice", "createdAt": {"$gt": "2026"}, "updatedAt": {"$lt": "2027"}}`,
		`{"$and": [{"a": 1}, {}], "$or": [{"b": 2}], "$not": {"c": 3}}`,
		`{"a": {}}`,
		`{"a": {"b": {"$gt": 1}}}`,
		`{"a.$b": 1}`,
		`{"a'; DROP TABLE records;--": 1}`,
		`{"n": 1e-16383, "m": 1e131071, "z": 0e16383}`,
	} {
		_, err := filter.Parse([]byte(where))
		require.NoError(t, err, where)
	}
}

func TestParseErrorsNameTheirPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ where, path, msg string }{
		{`[]`, "where", "must be a JSON object"},
		{`"x"`, "where", "must be a JSON object"},
		{`1`, "where", "must be a JSON object"},
		{`{`, "where", "invalid JSON"},
		{`{"a": 1,}`, "where", "invalid JSON"},
		{`{"a": 1} {"b": 2}`, "where", "unexpected data after"},
		{`{"a": 1} x`, "where", "unexpected data after"},
		{`{"a": 1, "a": 2}`, "where.a", "duplicate key"},
		{`{"": 1}`, `where[""]`, "empty field name"},
		{`{"a..b": 1}`, "where.a..b", "empty segment"},
		{`{".a": 1}`, "where..a", "empty segment"},
		{`{"a.": 1}`, "where.a.", "empty segment"},
		{`{"$where": "1"}`, "where.$where", "unknown operator $where"},
		{`{"$regex": "a"}`, "where.$regex", "unknown operator $regex"},
		{`{"$gt": 1}`, "where.$gt", "unknown operator $gt"},
		{`{"status": {"$regex": "a"}}`, "where.status.$regex", "unknown operator $regex"},
		{`{"status": {"$where": "1"}}`, "where.status.$where", "unknown operator"},
		{`{"status": {"$not": {"$eq": 1}}}`, "where.status.$not", "belongs at where level"},
		{`{"status": {"$gt": 1, "x": 2}}`, "where.status.x", "plain key in an object of operators"},
		{`{"status": {"x": 2, "$gt": 1}}`, "where.status.x", "plain key in an object of operators"},
		{`{"status": {"$gt": true}}`, "where.status.$gt", "number or a string"},
		{`{"status": {"$gt": null}}`, "where.status.$gt", "number or a string"},
		{`{"status": {"$lte": [1]}}`, "where.status.$lte", "number or a string"},
		{`{"status": {"$exists": 1}}`, "where.status.$exists", "true or false"},
		{`{"status": {"$startsWith": 1}}`, "where.status.$startsWith", "must be a string"},
		{`{"status": {"$in": []}}`, "where.status.$in", "non-empty array"},
		{`{"status": {"$in": "a"}}`, "where.status.$in", "non-empty array"},
		{`{"status": {"$nin": {}}}`, "where.status.$nin", "non-empty array"},
		{`{"$and": []}`, "where.$and", "non-empty array"},
		{`{"$or": {}}`, "where.$or", "non-empty array"},
		{`{"$or": [{"a": 1}, 2]}`, "where.$or[1]", "must be a where-object"},
		{`{"$and": [{"a": {"$foo": 1}}]}`, "where.$and[0].a.$foo", "unknown operator"},
		{`{"$not": []}`, "where.$not", "must be a where-object"},
		{`{"$not": {"$or": [{"x": {"$in": 5}}]}}`, "where.$not.$or[0].x.$in", "non-empty array"},
		{`{"a": "\u0000"}`, "where.a", "NUL"},
		{`{"a\u0000b": 1}`, `where["a\u0000b"]`, "NUL"},
		{`{"a": 1e-16384}`, "where.a", "16383 digits after"},
		{`{"a": 1e131072}`, "where.a", "131072 digits before"},
		{`{"a": 1e9999999999}`, "where.a", "out of range"},
		{`{"a": {"$in": [1, 1e-99999]}}`, "where.a.$in[1]", "digits after"},
		{`{"weird key": {"$gt": {}}}`, `where["weird key"].$gt`, "number or a string"},
	} {
		_, err := filter.Parse([]byte(c.where))
		requireError(t, err, c.path, c.msg, c.where)
	}
}

func requireError(t *testing.T, err error, path, msg string, input string) {
	t.Helper()
	var fe *filter.Error
	require.ErrorAs(t, err, &fe, input)
	require.Equal(t, path, fe.Path, "%s: %v", input, err)
	require.Contains(t, fe.Message, msg, input)
	require.Equal(t, fe.Path+": "+fe.Message, err.Error())
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	t.Run("path length and segments", func(t *testing.T) {
		t.Parallel()
		ok := strings.Repeat("a.", 15) + "a"
		_, err := filter.Parse([]byte(`{"` + ok + `": 1}`))
		require.NoError(t, err)
		_, err = filter.Parse([]byte(`{"` + ok + `.a": 1}`))
		requireError(t, err, "where."+ok+".a", "more than 16 segments", "17 segments")
		long := strings.Repeat("x", 257)
		_, err = filter.Parse([]byte(`{"` + long + `": 1}`))
		var fe *filter.Error
		require.ErrorAs(t, err, &fe)
		require.Contains(t, fe.Message, "longer than 256 bytes")
		require.Less(t, len(fe.Path), 100, "error paths shorten long keys")
	})
	t.Run("conditions", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		b.WriteString(`{"$and": [`)
		for i := range 300 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"a": 1}`)
		}
		b.WriteString(`]}`)
		_, err := filter.Parse([]byte(b.String()))
		requireError(t, err, "where.$and[255].a", "more than 256 conditions", "300 conditions")
	})
	t.Run("logical depth", func(t *testing.T) {
		t.Parallel()
		where := strings.Repeat(`{"$not": `, 32) + `{}` + strings.Repeat(`}`, 32)
		_, err := filter.Parse([]byte(where))
		require.NoError(t, err)
		where = strings.Repeat(`{"$not": `, 33) + `{}` + strings.Repeat(`}`, 33)
		_, err = filter.Parse([]byte(where))
		requireError(t, err, "where"+strings.Repeat(".$not", 33), "nested deeper than 32", "33 $not")
	})
	t.Run("JSON depth", func(t *testing.T) {
		t.Parallel()
		for _, where := range []string{
			strings.Repeat(`{"$not": `, 5000) + `{}` + strings.Repeat(`}`, 5000),
			`{"a": ` + strings.Repeat(`[`, 5000) + strings.Repeat(`]`, 5000) + `}`,
			`{"a": ` + strings.Repeat(`[`, 60000), // not even valid: refused at depth 101
		} {
			start := time.Now()
			_, err := filter.Parse([]byte(where))
			require.Error(t, err)
			require.Contains(t, err.Error(), "nested deeper than")
			require.Less(t, time.Since(start), time.Second)
		}
	})
	t.Run("$in values", func(t *testing.T) {
		t.Parallel()
		list := strings.Repeat(`1,`, 999) + `1`
		_, err := filter.Parse([]byte(`{"a": {"$in": [` + list + `]}}`))
		require.NoError(t, err)
		_, err = filter.Parse([]byte(`{"a": {"$nin": [` + list + `,2]}}`))
		requireError(t, err, "where.a.$nin", "more than 1000 values", "1001 values")
	})
	t.Run("size", func(t *testing.T) {
		t.Parallel()
		huge := `{"a": "` + strings.Repeat("x", filter.MaxInputBytes) + `"}`
		_, err := filter.Parse([]byte(huge))
		requireError(t, err, "where", "longer than", "huge")
	})
}

// TestHostileFieldNamesStayParameters: a field name is data, whatever it holds.
func TestHostileFieldNamesStayParameters(t *testing.T) {
	t.Parallel()
	for _, name := range []string{`a'; DROP TABLE records;--`, `a") OR true --`, `$1`, `a\`, `{a,b}`, `null`, `0`, ` 1`} {
		b, _ := jsonString(name)
		w, err := filter.Parse([]byte(`{"x.` + b + `": {"$gt": "'; DROP TABLE records;--"}}`))
		require.NoError(t, err, name)
		var p filter.Params
		sql := w.SQL(&p)
		require.NotContains(t, sql, "DROP")
		if len(name) >= 4 {
			require.NotContains(t, sql, name[1:])
		}
		if !slices.ContainsFunc(p, func(v any) bool { return v == any(name) }) {
			require.Contains(t, p, []string{"x", name}, "the path is a parameter")
		}
		checkWhereSQL(t, sql, len(p))
	}
}
