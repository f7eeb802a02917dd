package filter_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
)

func TestKeyIsEqual(t *testing.T) {
	t.Parallel()
	values := []string{`1`, `1.0`, `10e-1`, `0.1e1`, `2`, `-0`, `0`, `"1"`, `"a"`, `null`, `true`, `false`,
		`[1,"a"]`, `[1.0,"a"]`, `["a",1]`, `{"a":1,"b":[true]}`, `{"b":[true],"a":1.00}`, `{"a":"1"}`, `[]`, `{}`,
		`"1:s"`, `["1:s"]`, `["1","s"]`}
	decode := func(s string) any {
		var v any
		require.NoError(t, json.Unmarshal([]byte(s), &v))
		return v
	}
	for _, a := range values {
		for _, b := range values {
			ka, ok := filter.Key(decode(a))
			require.True(t, ok, a)
			kb, _ := filter.Key(decode(b))
			require.Equal(t, filter.Equal(decode(a), decode(b)), ka == kb, "%s vs %s", a, b)
		}
	}
}

func TestEqualities(t *testing.T) {
	t.Parallel()
	w, err := filter.Parse([]byte(`{"status":"open","n":{"$in":[2,1,2.0]},"$and":[{"id":"x"}],"$or":[{"c":"r"},{"c":"b"}],"m":{"$gt":1}}`))
	require.NoError(t, err)
	var fields []string
	for _, e := range w.Equalities() {
		fields = append(fields, e.Field)
		if e.Field == "n" {
			require.Len(t, e.Keys, 2, "1 and 2, once each")
		}
	}
	require.ElementsMatch(t, []string{"status", "n", "id"}, fields, "nothing under $or, nothing for $gt")
}

// Every document a where-object matches holds one of the keys of each of its equalities: the
// index of the live-query engine may skip the queries whose keys a document lacks.
func TestPropertyEqualitiesHoldForMatches(t *testing.T) {
	t.Parallel()
	g := newGen(propertySeed(t))
	docs := g.records(200)
	checked := 0
	for range 2000 {
		w, err := filter.Parse([]byte(g.whereJSON()))
		require.NoError(t, err)
		eqs := w.Equalities()
		for _, d := range docs {
			if !w.Match(d) {
				continue
			}
			for _, e := range eqs {
				k, ok := e.KeyOf(d)
				require.True(t, ok && slices.Contains(e.Keys, k), "%s matches but lacks %s", d.ID, e.Field)
				checked++
			}
		}
	}
	t.Logf("%d matches checked against their equalities", checked)
}
