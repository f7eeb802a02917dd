package filter_test

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

func TestParseOrderErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ orderBy, path, msg string }{
		{`{}`, "orderBy", "must be an array"},
		{`"a"`, "orderBy", "must be an array"},
		{`[1]`, "orderBy[0]", "must be an object"},
		{`[{"field": "a"}, {"field": "b"}, {"field": "c"}, {"field": "d"}]`, "orderBy", "more than 3 keys"},
		{`[{"dir": "asc"}]`, "orderBy[0].field", "missing"},
		{`[{"field": 1}]`, "orderBy[0].field", "must be a string"},
		{`[{"field": ""}]`, "orderBy[0].field", "empty field name"},
		{`[{"field": "a..b"}]`, "orderBy[0].field", "empty segment"},
		{`[{"field": "$a"}]`, "orderBy[0].field", "may not start with $"},
		{`[{"field": "a"}, {"field": "b", "dir": "up"}]`, "orderBy[1].dir", `"asc" or "desc"`},
		{`[{"field": "a", "dir": "ASC"}]`, "orderBy[0].dir", `"asc" or "desc"`},
		{`[{"field": "a", "limit": 1}]`, "orderBy[0].limit", "unknown key"},
		{`[{"field": "a"}, {"field": "a", "dir": "desc"}]`, "orderBy[1].field", "duplicate field"},
		{`[{"field": "a", "field": "b"}]`, "orderBy[0].field", "duplicate key"},
		{`[{"field": "a"}] x`, "orderBy", "unexpected data"},
	} {
		_, err := filter.ParseOrder([]byte(c.orderBy))
		requireError(t, err, c.path, c.msg, c.orderBy)
	}
}

func TestOrderDefaults(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{``, ` `, `null`, `[]`} {
		o, err := filter.ParseOrder([]byte(raw))
		require.NoError(t, err)
		require.Equal(t, `created_at ASC, id COLLATE "C" ASC`, o.SQL())
	}
	require.Equal(t, `created_at ASC, id COLLATE "C" ASC`, filter.Order{}.SQL(), "the zero Order is the default")
	o, err := filter.ParseOrder([]byte(`[{"field": "id", "dir": "desc"}]`))
	require.NoError(t, err)
	require.Equal(t, `id COLLATE "C" DESC`, o.SQL(), "no tiebreak after id itself")
}

func TestOrderSQLQuotesKeysSafely(t *testing.T) {
	t.Parallel()
	o, err := filter.ParseOrder([]byte(`[{"field": "plain_Key-1.it's'); DROP TABLE records;--"}]`))
	require.NoError(t, err)
	sql := o.SQL()
	require.Contains(t, sql, `(data -> 'plain_Key-1'::text -> convert_from(decode('`)
	require.NotContains(t, sql, "DROP")
	checkOrderSQL(t, sql)
}

func TestCompareTruncatesToMicroseconds(t *testing.T) {
	t.Parallel()
	a := filter.Doc{ID: "a", CreatedAt: t0.Add(100 * time.Nanosecond)}
	b := filter.Doc{ID: "b", CreatedAt: t0.Add(900 * time.Nanosecond)}
	var o filter.Order
	require.Equal(t, -1, o.Compare(a, b), "equal to the microsecond: id decides")
	require.Equal(t, 1, o.Compare(b, a))
	require.Equal(t, 0, o.Compare(a, a))
}

func TestCursorRefusesTampering(t *testing.T) {
	t.Parallel()
	docs := sampleDocs(t)
	o, err := filter.ParseOrder([]byte(`[{"field": "n", "dir": "desc"}]`))
	require.NoError(t, err)
	other, err := filter.ParseOrder([]byte(`[{"field": "n"}]`))
	require.NoError(t, err)
	good := o.Cursor(docs[0])
	var p filter.Params
	_, err = o.AfterSQL(good, &p)
	require.NoError(t, err)

	raw, err := base64.RawURLEncoding.DecodeString(good)
	require.NoError(t, err)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, cursor := range map[string]string{
		"empty":          "",
		"not base64":     "!!!",
		"padded":         good + "=",
		"line break":     good[:4] + "\n" + good[4:],
		"not JSON":       enc("nope"),
		"truncated":      good[:len(good)-3],
		"trailing data":  enc(string(raw) + "{}"),
		"unknown field":  enc(strings.Replace(string(raw), `{"o"`, `{"x":1,"o"`, 1)),
		"other order":    other.Cursor(docs[0]),
		"too few keys":   enc(strings.Replace(string(raw), `,"x1"]`, `]`, 1)),
		"bad rank":       enc(strings.Replace(string(raw), `[2,`, `[9,`, 1)),
		"rank for value": enc(strings.Replace(string(raw), `[2,`, `[0,`, 1)),
		"not a number":   enc(strings.Replace(string(raw), `"0.15e1"`, `"1.5; DROP"`, 1)),
		"huge number":    enc(strings.Replace(string(raw), `"0.15e1"`, `"1e-99999"`, 1)),
		"id not string":  enc(strings.Replace(string(raw), `"x1"`, `1`, 1)),
		"NUL in id":      enc(strings.Replace(string(raw), `"x1"`, `"x\u0000"`, 1)),
	} {
		_, err := o.AfterSQL(cursor, &p)
		var fe *filter.Error
		require.ErrorAs(t, err, &fe, name)
		require.Equal(t, "after", fe.Path, name)
	}
	require.Contains(t, string(raw), `"0.15e1"`, "the test edits the cursor it expects")

	ts, err := filter.ParseOrder([]byte(`[{"field": "createdAt"}]`))
	require.NoError(t, err)
	raw, err = base64.RawURLEncoding.DecodeString(ts.Cursor(docs[0]))
	require.NoError(t, err)
	micros := strconv.FormatInt(docs[0].CreatedAt.UnixMicro(), 10)
	require.Contains(t, string(raw), `[`+micros+`,`)
	for _, bad := range []string{`1e3`, `-99999999999999999`, `"1"`, `1.5`, `null`} {
		_, err := ts.AfterSQL(enc(strings.Replace(string(raw), micros, bad, 1)), &p)
		require.Error(t, err, bad)
	}
	_, err = ts.AfterSQL(enc(string(raw)), &p)
	require.NoError(t, err)
}

// TestPagingWithTies pages one record at a time through records that tie on every key but id.
func TestPagingWithTies(t *testing.T) {
	t.Parallel()
	pool := openRoom(t)
	var docs []filter.Doc
	for i, id := range []string{"b", "a", "C", "c", "A", "_", "-", "0", "a.b", "a:b"} {
		docs = append(docs, filter.Doc{ID: id, UserID: "u", CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i%2) * time.Microsecond),
			Data: decodeData(t, `{"n": 1, "s": "x"}`)})
	}
	docs = insertDocs(t, pool, docs)
	for _, orderBy := range []string{``, `[{"field": "n", "dir": "desc"}, {"field": "s"}, {"field": "updatedAt", "dir": "desc"}]`} {
		o, err := filter.ParseOrder([]byte(orderBy))
		require.NoError(t, err)
		want := sortDocs(o, docs)
		for _, limit := range []int{1, 2, 3} {
			byID := map[string]filter.Doc{}
			for _, d := range docs {
				byID[d.ID] = d
			}
			var got []string
			after := ""
			for {
				page, sql, err := query{order: &o, after: after, limit: limit}.run(context.Background(), pool)
				require.NoError(t, err, sql)
				got = append(got, page...)
				if len(page) < limit {
					break
				}
				after = o.Cursor(byID[page[len(page)-1]])
			}
			require.Equal(t, want, got, "%s by %d", orderBy, limit)
		}
	}
}
