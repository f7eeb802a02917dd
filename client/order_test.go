package client

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/protocol"
)

func rec(id, data string) Record { return Record{ID: id, Data: json.RawMessage(data)} }

func sortedIDs(o order, recs ...Record) []string {
	type keyed struct {
		id  string
		key filter.Doc
	}
	var ks []keyed
	for _, r := range recs {
		ks = append(ks, keyed{r.ID, o.keyOf(r)})
	}
	slices.SortFunc(ks, func(a, b keyed) int { return o.compare(a.key, b.key) })
	var ids []string
	for _, k := range ks {
		ids = append(ids, k.id)
	}
	return ids
}

// The kinds sort missing < null < numbers < strings < booleans < arrays < objects; numbers by
// exact value, strings byte-wise; arrays and objects tie, and id breaks every tie.
func TestOrderFollowsTheServersRules(t *testing.T) {
	t.Parallel()
	recs := []Record{
		rec("obj", `{"v":{"a":1}}`), rec("arr2", `{"v":[2]}`), rec("arr1", `{"v":[1]}`),
		rec("true", `{"v":true}`), rec("false", `{"v":false}`),
		rec("s-b", `{"v":"b"}`), rec("s-B", `{"v":"B"}`), rec("s-a", `{"v":"a"}`),
		rec("big", `{"v":99999999999999999999}`), rec("big-1", `{"v":99999999999999999998}`),
		rec("one", `{"v":1}`), rec("one.0", `{"v":1.0}`), rec("neg", `{"v":-3.5}`),
		rec("null", `{"v":null}`), rec("missing", `{}`), rec("not-an-object", `{"v.w":1}`),
	}
	asc := []string{"missing", "not-an-object", "null", "neg", "one", "one.0", "big-1", "big",
		"s-B", "s-a", "s-b", "false", "true", "arr1", "arr2", "obj"}
	require.Equal(t, asc, sortedIDs(newOrder([]OrderKey{Asc("v")}), recs...))

	// desc reverses the key completely (missing last), but ties still break by id ascending.
	desc := []string{"obj", "arr1", "arr2", "true", "false", "s-b", "s-a", "s-B", "big", "big-1",
		"one", "one.0", "neg", "null", "missing", "not-an-object"}
	require.Equal(t, desc, sortedIDs(newOrder([]OrderKey{Desc("v")}), recs...))
}

func TestOrderByPathsAndRecordFields(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	a := Record{ID: "a", UserID: "zed", Data: json.RawMessage(`{"p":{"q":2}}`), CreatedAt: protocol.Time{Time: t0.Add(2 * time.Millisecond)}}
	b := Record{ID: "b", UserID: "amy", Data: json.RawMessage(`{"p":{"q":1}}`), CreatedAt: protocol.Time{Time: t0.Add(time.Millisecond)}}
	c := Record{ID: "c", UserID: "amy", Data: json.RawMessage(`{"p":[1]}`), CreatedAt: protocol.Time{Time: t0.Add(time.Millisecond)}}

	require.Equal(t, []string{"b", "c", "a"}, sortedIDs(newOrder(nil), a, b, c), "default: createdAt, then id")
	require.Equal(t, []string{"c", "b", "a"}, sortedIDs(newOrder([]OrderKey{Asc("p.q")}), a, b, c),
		"a path through an array is missing")
	require.Equal(t, []string{"c", "b", "a"}, sortedIDs(newOrder([]OrderKey{Asc("userId"), Desc("id")}), a, b, c))
	require.Equal(t, []string{"a", "b", "c"}, sortedIDs(newOrder([]OrderKey{{Field: "createdAt", Dir: "desc"}}), a, b, c))
}

// A subscription keeps its order through changes, and ignores an upsert older than what it
// holds.
func TestSubscriptionAppliesChangesInOrder(t *testing.T) {
	t.Parallel()
	s := &Subscription{order: newOrder([]OrderKey{Asc("n")}), changed: make(chan struct{}, 1), ready: make(chan struct{})}
	v := func(id string, n, version int64) Record {
		r := rec(id, `{"n":`+itoa(n)+`}`)
		r.Version = version
		return r
	}
	ids := func() (out []string) {
		for _, r := range s.Records() {
			out = append(out, r.ID)
		}
		return out
	}
	s.replace([]Record{v("c", 3, 1), v("a", 1, 1), v("b", 2, 1)})
	require.Equal(t, []string{"a", "b", "c"}, ids())
	<-s.Changed()

	s.apply([]Record{v("a", 4, 2), v("d", 0, 1)}, []string{"b"})
	require.Equal(t, []string{"d", "c", "a"}, ids())
	<-s.Changed()

	s.apply([]Record{v("a", -1, 1)}, nil) // an older version arriving late
	require.Equal(t, []string{"d", "c", "a"}, ids())
	select {
	case <-s.Changed():
		t.Fatal("nothing changed")
	default:
	}
	s.replace(nil) // a fresh snapshot replaces everything
	require.Empty(t, ids())
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
