package yjs

import (
	"bytes"
	"maps"
	"testing"
)

// Fuzz targets: every decoder must return (an error or a result) quickly
// and never panic, and what it accepts must be consistent. Seeds come from
// the yjs fixtures. Run one with
//
//	go test ./yjs -run '^$' -fuzz '^FuzzDecodeUpdate$' -fuzztime 30s -fuzzminimizetime 500x
//
// (without a bounded -fuzzminimizetime the fuzzer can spend up to a minute
// minimizing each new input, which shows as runs of "0/sec").

var fuzzLimits = Limits{MaxUpdateBytes: 64 << 20}

// seedUpdates picks small fixtures (large seeds make the fuzzer spend its
// time minimizing) of every kind: client updates, merges, diffs, malformed.
func seedUpdates(f *testing.F) [][]byte {
	const maxSeed = 400
	var out [][]byte
	add := func(b []byte) {
		if len(b) <= maxSeed && len(out) < 60 {
			out = append(out, b)
		}
	}
	for _, h := range histories(f) {
		for j, u := range h.Updates {
			if j%5 == 0 {
				add(u)
			}
		}
		for _, m := range h.Merges {
			add(m.Result)
		}
		for _, d := range h.Diffs {
			add(d.Result)
		}
	}
	var fx malformedFixture
	loadJSON(f, "malformed.json", &fx)
	for i, c := range fx.Cases {
		if i%7 == 0 {
			add(c.Update)
		}
	}
	return append(out, EmptyUpdate(), []byte{})
}

// coverage returns, per client, the clock ranges an update has content or
// GC for (Skips excluded), sorted and joined.
func coverage(t testing.TB, b []byte) map[uint64][]DeleteRange {
	u, err := DecodeUpdateLimits(b, fuzzLimits)
	if err != nil {
		t.Fatalf("invalid: %v", err)
	}
	cov := map[uint64][]DeleteRange{}
	for _, s := range u.Structs {
		if s.Kind != StructSkip {
			cov[s.ID.Client] = append(cov[s.ID.Client], DeleteRange{Clock: s.ID.Clock, Len: s.Length})
		}
	}
	for c, rs := range cov {
		cov[c] = unionRanges(rs)
	}
	return cov
}

func FuzzDecodeUpdate(f *testing.F) {
	for _, s := range seedUpdates(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := DecodeUpdateLimits(b, fuzzLimits)
		if verr := ValidateUpdateLimits(b, fuzzLimits); (err == nil) != (verr == nil) {
			t.Fatalf("decode %v, validate %v", err, verr)
		}
		if _, serr := StateVectorFromUpdate(b); (err == nil) != (serr == nil) {
			t.Fatalf("decode %v, state vector %v", err, serr)
		}
		if err != nil {
			return
		}
		enc := u.Encode()
		u2, err := DecodeUpdateLimits(enc, fuzzLimits)
		if err != nil {
			t.Fatalf("re-encoded update invalid: %v", err)
		}
		if !bytes.Equal(enc, u2.Encode()) {
			t.Fatal("encoding is not stable")
		}
		d, err := DiffUpdate(b, []byte{0})
		if err != nil {
			t.Fatalf("diff: %v", err)
		}
		if !maps.EqualFunc(coverage(t, b), coverage(t, d), sameRanges) {
			t.Fatal("diff against nothing changed the content")
		}
	})
}

func sameRanges(a, b []DeleteRange) bool { return slicesEqual(a, b) }

func slicesEqual(a, b []DeleteRange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzMergeUpdates(f *testing.F) {
	seeds := seedUpdates(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i*5+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		m, err := MergeUpdates(a, b)
		aok := ValidateUpdateLimits(a, fuzzLimits) == nil
		bok := ValidateUpdateLimits(b, fuzzLimits) == nil
		if (err == nil) != (aok && bok) {
			t.Fatalf("merge error %v with inputs valid %v %v", err, aok, bok)
		}
		if err != nil {
			return
		}
		if err := ValidateUpdateLimits(m, fuzzLimits); err != nil {
			t.Fatalf("merge result invalid: %v", err)
		}
		want := coverage(t, a)
		for c, rs := range coverage(t, b) {
			want[c] = unionRanges(append(want[c], rs...))
		}
		if !maps.EqualFunc(want, coverage(t, m), sameRanges) {
			t.Fatal("merge lost or invented content")
		}
	})
}

func FuzzDiffUpdate(f *testing.F) {
	for _, s := range seedUpdates(f) {
		f.Add(s, []byte{0})
		if sv, err := StateVectorFromUpdate(s); err == nil {
			f.Add(s, sv)
			f.Add(s, EncodeStateVector(map[uint64]uint64{3: 2, 1 << 40: 7}))
		}
	}
	f.Fuzz(func(t *testing.T, update, sv []byte) {
		d, err := DiffUpdate(update, sv)
		known, sverr := DecodeStateVector(sv)
		uerr := ValidateUpdateLimits(update, fuzzLimits)
		if (err == nil) != (sverr == nil && uerr == nil) {
			t.Fatalf("diff %v, sv %v, update %v", err, sverr, uerr)
		}
		if err != nil {
			return
		}
		want := coverage(t, update)
		for c, rs := range want {
			var kept []DeleteRange
			for _, r := range rs {
				if end := r.Clock + r.Len; end > known[c] {
					start := max(r.Clock, known[c])
					kept = append(kept, DeleteRange{Clock: start, Len: end - start})
				}
			}
			want[c] = kept
			if len(kept) == 0 {
				delete(want, c)
			}
		}
		if !maps.EqualFunc(want, coverage(t, d), sameRanges) {
			t.Fatal("diff does not hold exactly what the state vector lacks")
		}
	})
}

func FuzzDecodeStateVector(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{2, 5, 1, 6, 2})
	for _, h := range histories(f)[:2] {
		for _, sv := range h.StateVectors[:10] {
			f.Add([]byte(sv.Result))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeStateVector(b)
		if err != nil {
			return
		}
		m2, err := DecodeStateVector(EncodeStateVector(m))
		if err != nil || !maps.Equal(m, m2) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzDecodeMessage(f *testing.F) {
	for _, s := range [][]byte{
		EncodeSyncStep1([]byte{0}), EncodeSyncStep2(EmptyUpdate()), EncodeSyncUpdate(EmptyUpdate()),
		EncodeAwarenessMessage([]byte{0}), EncodeQueryAwareness(), EncodeAuthDenied("no"), {0, 3}, {},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		m2, err := DecodeMessage(m.Encode())
		if err != nil {
			t.Fatalf("re-encoded message invalid: %v", err)
		}
		if !bytes.Equal(m.Encode(), m2.Encode()) {
			t.Fatal("message encoding is not stable")
		}
	})
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add(EncodeFrame("doc", EncodeSyncStep1([]byte{0})))
	f.Add(EncodeFrame("", EncodeQueryAwareness()))
	f.Add([]byte{0xff, 0xff, 0xff, 0x0f, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		name, msg, err := DecodeFrame(b)
		if err != nil {
			return
		}
		name2, msg2, err := DecodeFrame(EncodeFrame(name, msg))
		if err != nil || name2 != name || !bytes.Equal(msg2, msg) {
			t.Fatalf("frame round trip differs: %v", err)
		}
	})
}

func FuzzDecodeAwareness(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{1, 5, 2, 4, 'n', 'u', 'l', 'l'})
	f.Add([]byte{1, 5, 2, 13, '{', '"', 'u', '"', ':', '{', '"', 'n', '"', ':', '1', '}', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := DecodeAwareness(b)
		if err != nil {
			return
		}
		enc, err := EncodeAwareness(entries)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := DecodeAwareness(enc)
		if err != nil || len(again) != len(entries) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
