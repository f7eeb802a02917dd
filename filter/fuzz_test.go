package filter_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

var whereSeeds = []string{
	``, `null`, `{}`, `[]`, `"x"`, `{"a": 1}`, `{"a.b.c": "x"}`, `{"a": {"$eq": null}}`,
	`{"n": {"$gt": 1, "$lte": "z"}}`, `{"n": {"$in": [1, "a", [1], {"b": null}]}}`, `{"n": {"$nin": [true]}}`,
	`{"n": {"$exists": false}}`, `{"t": {"$contains": [1, {"x": 2}]}}`, `{"t": {"$contains": "a"}}`,
	`{"t": {"$startsWith": "a%_"}}`, `{"id": {"$in": ["a", 1]}, "userId": {"$ne": 5}}`,
	`{"createdAt": {"$gte": "2026-01-01T00:00:00.000Z"}, "updatedAt": {"$startsWith": "2026"}}`,
	`{"$and": [{"a": 1}, {"$or": [{"b": 2}, {"$not": {"c": 3}}]}]}`, `{"a'; DROP TABLE records;--": 1}`,
	`{"a.0. 1.-1": 1}`, `{"a": {"b": {"$gt": 1}}}`, `{"a": {"$gt": 1, "b": 1}}`, `{"$where": "1"}`,
	`{"a": 1e-16383}`, `{"a": 1e131072}`, `{"a": "\u0000"}`, `{"a": 1, "a": 2}`, `{"$not": {"$not": {}}}`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
}

var orderSeeds = []string{
	``, `null`, `[]`, `{}`, `[{"field": "a"}]`, `[{"field": "a.b", "dir": "desc"}, {"field": "createdAt"}]`,
	`[{"field": "id", "dir": "asc"}, {"field": "userId"}, {"field": "updatedAt", "dir": "desc"}]`,
	`[{"field": "a'; DROP TABLE records;--"}]`, `[{"field": "ü.0. 1"}]`, `[{"field": "a"}, {"field": "a"}]`,
	`[{"field": "a", "dir": "up"}]`, `[{"dir": "asc"}]`, `[{"field": "a", "x": 1}]`, `[1]`,
	`[{"field": "a"}, {"field": "b"}, {"field": "c"}, {"field": "d"}]`, `[{"field": "$x"}]`,
}

// sampleDocs are documents for fuzzed where-objects and orders to run on.
func sampleDocs(t testing.TB) []filter.Doc {
	return []filter.Doc{
		{ID: "x1", UserID: "alice", CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
			Data: decodeData(t, `{"a": {"b": {"c": "x"}, "0": [1, 2]}, "n": 1.5, "t": [1, {"x": 2}, "a%_"], "id": "y", "": null}`)},
		{ID: "x2", UserID: "bob", CreatedAt: t0.Add(time.Microsecond), UpdatedAt: t0,
			Data: decodeData(t, `{"a": 1, "n": "1.5", "t": "a"}`)},
		{ID: "x3", Data: nil},
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range whereSeeds {
		f.Add([]byte(s))
	}
	docs := sampleDocs(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		w, err := filter.Parse(raw)
		if err != nil {
			var fe *filter.Error
			require.ErrorAs(t, err, &fe)
			require.True(t, strings.HasPrefix(fe.Path, "where"), fe.Path)
			return
		}
		p := filter.Params{"room", "collection"}
		sql := w.SQL(&p)
		checkWhereSQLFrom(t, sql, 3, len(p))
		for _, d := range docs {
			w.Match(d)
		}
	})
}

func FuzzParseOrder(f *testing.F) {
	for _, s := range orderSeeds {
		f.Add([]byte(s))
	}
	docs := sampleDocs(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := filter.ParseOrder(raw)
		if err != nil {
			var fe *filter.Error
			require.ErrorAs(t, err, &fe)
			require.True(t, strings.HasPrefix(fe.Path, "orderBy"), fe.Path)
			return
		}
		checkOrderSQL(t, o.SQL())
		for _, a := range docs {
			for _, b := range docs {
				require.Equal(t, o.Compare(a, b), -o.Compare(b, a))
			}
			var p filter.Params
			cond, err := o.AfterSQL(o.Cursor(a), &p)
			require.NoError(t, err)
			checkOrderSQL(t, cond)
		}
	})
}

// FuzzAfterSQL: no cursor, however mangled, panics AfterSQL or reaches the SQL text.
func FuzzAfterSQL(f *testing.F) {
	orders := []string{``, `[{"field": "a"}]`, `[{"field": "n", "dir": "desc"}, {"field": "userId"}]`,
		`[{"field": "id", "dir": "desc"}, {"field": "updatedAt"}]`}
	for i, s := range orders {
		o, err := filter.ParseOrder([]byte(s))
		require.NoError(f, err)
		for _, d := range sampleDocs(f) {
			f.Add(i, o.Cursor(d))
		}
	}
	f.Add(0, "")
	f.Add(1, "eyJvIjoiIiwiayI6W119")
	f.Fuzz(func(t *testing.T, i int, cursor string) {
		o, _ := filter.ParseOrder([]byte(orders[(i%len(orders)+len(orders))%len(orders)]))
		var p filter.Params
		cond, err := o.AfterSQL(cursor, &p)
		if err != nil {
			var fe *filter.Error
			require.True(t, errors.As(err, &fe))
			require.Equal(t, "after", fe.Path)
			return
		}
		checkOrderSQL(t, cond)
	})
}

// The SQL a where-object compiles to is made of these pieces and numbered placeholders only.
var (
	sqlWords = wordSet(`data id user_id created_at updated_at AND OR NOT COALESCE true false CASE WHEN THEN ELSE
		END jsonb_typeof starts_with COLLATE IS NULL ANY ALL jsonb text numeric boolean timestamptz EXISTS
		SELECT FROM jsonb_array_elements AS e elem WHERE to_char AT TIME ZONE ASC DESC convert_from decode`)
	sqlLiterals = wordSet(`'string' 'number' 'boolean' 'null' 'array' 'object' '{}' 'UTC' 'hex' 'UTF8'`)
	sqlPuncts   = wordSet(`( ) [ ] , . = <> < > <= >= @> #> #>> -> ::`)
	timeFormat  = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`
	orderLit    = regexp.MustCompile(`^'([A-Za-z0-9_-]+|([0-9a-f]{2})+)'$`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// checkWhereSQL checks that sql holds nothing but the compiler's own words and placeholders
// $1..$n, each of them used.
func checkWhereSQL(t *testing.T, sql string, n int) { checkWhereSQLFrom(t, sql, 1, n) }

func checkWhereSQLFrom(t *testing.T, sql string, first, n int) {
	t.Helper()
	used := map[int]bool{}
	scanSQL(t, sql, func(tok string) bool {
		if strings.HasPrefix(tok, "$") {
			i, err := strconv.Atoi(tok[1:])
			require.NoError(t, err, sql)
			require.True(t, i >= first && i <= n, "placeholder %s out of range in %s", tok, sql)
			used[i] = true
			return true
		}
		return sqlLiterals[tok] || tok == "1" // SELECT 1
	})
	for i := first; i <= n; i++ {
		require.True(t, used[i], "parameter $%d unused in %s", i, sql)
	}
}

// checkOrderSQL is checkWhereSQL for orders, which hold data keys as plain or hex literals and
// type ranks 0 to 6.
func checkOrderSQL(t *testing.T, sql string) {
	t.Helper()
	scanSQL(t, sql, func(tok string) bool {
		if strings.HasPrefix(tok, "$") {
			_, err := strconv.Atoi(tok[1:])
			return err == nil
		}
		return sqlLiterals[tok] || orderLit.MatchString(tok) || len(tok) == 1 && tok[0] >= '0' && tok[0] <= '6'
	})
}

// scanSQL splits sql into tokens, requiring words, punctuation and identifiers from the sets
// above and asking other (literal, placeholder, number) tokens of ok.
func scanSQL(t *testing.T, sql string, ok func(tok string) bool) {
	t.Helper()
	for i := 0; i < len(sql); {
		c := sql[i]
		j := i + 1
		switch {
		case c == ' ':
			i++
			continue
		case strings.HasPrefix(sql[i:], timeFormat):
			i += len(timeFormat)
			continue
		case c == '\'':
			end := strings.IndexByte(sql[j:], '\'')
			require.GreaterOrEqual(t, end, 0, "unterminated literal in %s", sql)
			j += end + 1
			require.True(t, ok(sql[i:j]), "literal %s in %s", sql[i:j], sql)
		case c == '"':
			require.True(t, strings.HasPrefix(sql[i:], `"C"`), "identifier at %d in %s", i, sql)
			j = i + 3
		case c == '$' || c >= '0' && c <= '9':
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			require.True(t, ok(sql[i:j]), "token %s in %s", sql[i:j], sql)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			for j < len(sql) && (sql[j] == '_' || sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 'A' && sql[j] <= 'Z') {
				j++
			}
			require.True(t, sqlWords[sql[i:j]], "word %q in %s", sql[i:j], sql)
		case strings.ContainsRune("=<>@#-:", rune(c)):
			for j < len(sql) && strings.ContainsRune("=<>@#-:", rune(sql[j])) {
				j++
			}
			require.True(t, sqlPuncts[sql[i:j]], "operator %q in %s", sql[i:j], sql)
		default:
			require.True(t, sqlPuncts[sql[i:j]], "character %q in %s", sql[i:j], sql)
		}
		i = j
	}
}

// jsonString is s as the inside of a JSON string literal.
func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b[1 : len(b)-1]), err
}
