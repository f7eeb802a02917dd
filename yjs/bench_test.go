package yjs

import "testing"

// Benchmarks on the 20,000-keystroke typing history (testdata/typing.bin.gz).
// yjs's own timings on the same data are in testdata/typing.json.

func BenchmarkMergeTyping20k(b *testing.B) {
	fx := typing(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MergeUpdates(fx.Updates...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMergeTyping2k(b *testing.B) {
	fx := typing(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MergeUpdates(fx.Updates[:2000]...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIncrementalMergeTyping2k(b *testing.B) {
	fx := typing(b)
	b.ReportAllocs()
	for b.Loop() {
		acc := fx.Updates[0]
		for _, u := range fx.Updates[1:2000] {
			var err error
			if acc, err = MergeUpdates(acc, u); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDiffTyping(b *testing.B) {
	fx := typing(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DiffUpdate(fx.Merged, fx.SV); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStateVectorTyping(b *testing.B) {
	fx := typing(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := StateVectorFromUpdate(fx.Merged); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateTyping(b *testing.B) {
	fx := typing(b)
	lim := Limits{MaxUpdateBytes: 64 << 20}
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateUpdateLimits(fx.Merged, lim); err != nil {
			b.Fatal(err)
		}
	}
}
