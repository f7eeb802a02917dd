package yjs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The Go port of V8's TimSort must order like Node does, even with yjs's
// inconsistent merge comparator (testdata/v8sort.json, from gen.mjs).
func TestV8SortMatchesNode(t *testing.T) {
	t.Parallel()
	var fx struct {
		Cases []struct {
			Elements [][3]int `json:"elements"`
			Order    []int    `json:"order"`
		} `json:"cases"`
	}
	loadJSON(t, "v8sort.json", &fx)
	require.NotEmpty(t, fx.Cases)
	type el struct{ client, clock, kind, index int }
	cmp := func(a, b el) int {
		if a.client == b.client {
			if a.clock == b.clock {
				if a.kind == b.kind {
					return 0
				}
				return -1
			}
			return a.clock - b.clock
		}
		return b.client - a.client
	}
	for i, c := range fx.Cases {
		arr := make([]el, len(c.Elements))
		for j, e := range c.Elements {
			arr[j] = el{e[0], e[1], e[2], j}
		}
		v8Sort(arr, cmp)
		got := make([]int, len(arr))
		for j, e := range arr {
			got[j] = e.index
		}
		require.Equal(t, c.Order, got, "case %d (%d elements)", i, len(arr))
	}
}
