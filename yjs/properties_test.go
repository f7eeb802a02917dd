package yjs

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func decodeSV(t *testing.T, update []byte) map[uint64]uint64 {
	t.Helper()
	sv, err := StateVectorFromUpdate(update)
	require.NoError(t, err)
	m, err := DecodeStateVector(sv)
	require.NoError(t, err)
	return m
}

func mustMerge(t *testing.T, updates ...[]byte) []byte {
	t.Helper()
	m, err := MergeUpdates(updates...)
	require.NoError(t, err)
	return m
}

// Merging in any order or grouping yields the same state.
func TestMergeOrderAndGrouping(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range histories(t) {
		ups := make([][]byte, len(f.Updates))
		for i, u := range f.Updates {
			ups[i] = u
		}
		all := mustMerge(t, ups...)
		want := decodeSV(t, all)
		for _, u := range ups {
			for client, clock := range decodeSV(t, u) {
				require.GreaterOrEqual(t, want[client], clock, f.Name)
			}
		}
		shuffled := append([][]byte(nil), ups...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		require.Equal(t, want, decodeSV(t, mustMerge(t, shuffled...)), f.Name)

		cut := len(ups) / 3
		left := mustMerge(t, mustMerge(t, ups[:cut]...), ups[cut])
		grouped := mustMerge(t, left, mustMerge(t, ups[cut+1:]...))
		require.Equal(t, want, decodeSV(t, grouped), f.Name)
	}
}

// A merged update is a fixed point of re-encoding, diffing against nothing
// and merging with itself.
func TestMergedIsCanonical(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		m := []byte(f.Merges[0].Result)
		d, err := DiffUpdate(m, []byte{0})
		require.NoError(t, err)
		require.Equal(t, m, d, f.Name)

		u, err := DecodeUpdateLimits(m, Limits{MaxUpdateBytes: 64 << 20})
		require.NoError(t, err)
		require.Equal(t, m, u.Encode(), f.Name)

		require.Equal(t, m, mustMerge(t, m, m), f.Name)
	}
}

// Diffing against the update's own state vector leaves only the delete set;
// diffing against any state vector and merging back restores the state.
func TestDiffAgainstStateVectors(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f := range histories(t) {
		m := []byte(f.Merges[0].Result)
		sv, err := StateVectorFromUpdate(m)
		require.NoError(t, err)
		d, err := DiffUpdate(m, sv)
		require.NoError(t, err)
		du, err := DecodeUpdate(d)
		require.NoError(t, err)
		mu, err := DecodeUpdateLimits(m, Limits{MaxUpdateBytes: 64 << 20})
		require.NoError(t, err)
		require.Empty(t, du.Structs, f.Name)
		require.Equal(t, mu.Deletes, du.Deletes, f.Name)

		full := decodeSV(t, m)
		for range 20 {
			partial := map[uint64]uint64{}
			for c, clock := range full {
				if rng.IntN(3) > 0 {
					partial[c] = rng.Uint64N(clock + 2)
				}
			}
			d, err := DiffUpdate(m, EncodeStateVector(partial))
			require.NoError(t, err)
			require.NoError(t, ValidateUpdateLimits(d, Limits{MaxUpdateBytes: 64 << 20}))
			// What the peer has (a prefix per client) plus the diff is all.
			have, err := DiffUpdate(m, EncodeStateVector(map[uint64]uint64{}))
			require.NoError(t, err)
			require.Equal(t, full, decodeSV(t, mustMerge(t, d, have)), f.Name)
		}
	}
}

func TestStateVectorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		for _, sv := range f.StateVectors {
			m, err := DecodeStateVector(sv.Result)
			require.NoError(t, err)
			// yjs writes an update's state vector in the update's client
			// order, which is descending: the same as EncodeStateVector.
			require.Equal(t, []byte(sv.Result), EncodeStateVector(m))
		}
	}
	m, err := DecodeStateVector([]byte{2, 5, 1, 5, 9})
	require.NoError(t, err)
	require.Equal(t, map[uint64]uint64{5: 9}, m, "a repeated client keeps its last clock, as in yjs")
	_, err = DecodeStateVector([]byte{0, 0})
	require.ErrorIs(t, err, ErrMalformed)
	require.Equal(t, []byte{0}, EncodeStateVector(nil))
}

func TestEmptyUpdate(t *testing.T) {
	t.Parallel()
	e := EmptyUpdate()
	require.Equal(t, []byte{0, 0}, e)
	u, err := DecodeUpdate(e)
	require.NoError(t, err)
	require.Empty(t, u.Structs)
	require.Empty(t, u.Deletes)
	sv, err := StateVectorFromUpdate(e)
	require.NoError(t, err)
	require.Equal(t, []byte{0}, sv)
	m := histories(t)[0].Merges[0].Result
	require.Equal(t, []byte(m), mustMerge(t, m, e))
}
