package filter_test

import (
	"testing"

	"github.com/recordroom/recordroom/filter"
)

// BenchmarkCompareSort sorts the property test's records.
func BenchmarkCompareSort(b *testing.B) {
	g := newGen(1)
	docs := g.records(2000)
	o, _ := filter.ParseOrder([]byte(`[{"field":"n"},{"field":"s","dir":"desc"}]`))
	b.ReportAllocs()
	for b.Loop() {
		sortDocs(o, docs)
	}
}

// BenchmarkMatch matches 100 random where-objects against them.
func BenchmarkMatch(b *testing.B) {
	g := newGen(1)
	docs := g.records(2000)
	ws := make([]*filter.Where, 100)
	for i := range ws {
		ws[i], _ = filter.Parse([]byte(g.whereJSON()))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, w := range ws {
			for _, d := range docs {
				w.Match(d)
			}
		}
	}
}
