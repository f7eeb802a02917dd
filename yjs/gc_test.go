package yjs

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// Condensing keeps what a document is (its state vector and delete set) and only makes it
// smaller; doing it twice changes nothing more. Real yjs loads both to the same document: see
// TestCondenseAgreesWithYjs.
func TestCondense(t *testing.T) {
	t.Parallel()
	for _, name := range historyNames {
		merged, gc := condensedHistory(t, name)
		require.Less(t, len(gc), len(merged), name)
		svBefore, err := StateVectorFromUpdate(merged)
		require.NoError(t, err)
		svAfter, err := StateVectorFromUpdate(gc)
		require.NoError(t, err)
		require.Equal(t, svBefore, svAfter, name)
		before, err := DecodeUpdateLimits(merged, Limits{MaxUpdateBytes: 64 << 20})
		require.NoError(t, err)
		after, err := DecodeUpdateLimits(gc, Limits{MaxUpdateBytes: 64 << 20})
		require.NoError(t, err)
		require.Equal(t, before.Deletes, after.Deletes, name)
		again, err := Condense(context.Background(), gc, DefaultLimits())
		require.NoError(t, err)
		require.Equal(t, gc, again, name)
		t.Logf("%s: %d bytes in %d structs, condensed to %d bytes in %d", name, len(merged), len(before.Structs), len(gc), len(after.Structs))
	}
}

var historyNames = []string{"history-01", "history-02", "history-03", "history-04", "history-05", "history-06"}

func condensedHistory(t *testing.T, name string) (merged, gc []byte) {
	t.Helper()
	var fx historyFixture
	loadJSON(t, name+".json", &fx)
	updates := make([][]byte, len(fx.Updates))
	for i, u := range fx.Updates {
		updates[i] = u
	}
	merged, err := MergeUpdates(updates...)
	require.NoError(t, err)
	gc, err = Condense(context.Background(), merged, DefaultLimits())
	require.NoError(t, err, name)
	return merged, gc
}

// Real yjs (the fixture generator's pinned copy, run by testdata/gen/gccheck.mjs) loads every
// condensed history, and the condensed typing history, to the same document as the original.
func TestCondenseAgreesWithYjs(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("testdata/gen/node_modules/yjs"); err != nil {
		t.Fatalf("yjs is not installed for the fixture tools: run npm ci --prefix yjs/testdata/gen (make test does)")
	}
	dir := t.TempDir()
	for _, name := range historyNames {
		merged, gc := condensedHistory(t, name)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".merged"), merged, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".gc"), gc, 0o644))
	}
	fx := typing(t)
	gc, err := Condense(context.Background(), fx.Merged, DefaultLimits())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "typing.merged"), fx.Merged, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "typing.gc"), gc, 0o644))
	t.Logf("typing: %d updates merge to %d bytes, condensed to %d", len(fx.Updates), len(fx.Merged), len(gc))

	out, err := exec.Command("node", "testdata/gen/gccheck.mjs", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// Condensing is linear in the update: the bytes it allocates double when the typed run does.
// (Joining a run by growing its text item by item allocated n²/2 bytes: 4× at 2n.)
func TestCondenseLinear(t *testing.T) { // not parallel: it counts the process's allocations
	const n = 20_000
	cost := func(n int) uint64 {
		update := typedRun(1, 0, n)
		return allocated(t, func() {
			gc, err := Condense(context.Background(), update, DefaultLimits())
			require.NoError(t, err)
			require.Less(t, len(gc), 100+n)
		})
	}
	small, large := cost(n), cost(2*n)
	t.Logf("Condense of a %d-item run allocates %d bytes, of %d items %d (%.2f×)", n, small, 2*n, large, float64(large)/float64(small))
	require.Less(t, float64(large)/float64(small), 3.0)
}

// typedRun is client typing n characters one after the other from clock from on, one update
// item per keystroke, in a root text "t".
func typedRun(client uint64, from, n int) []byte {
	u := Update{Structs: make([]Struct, n)}
	for i := range u.Structs {
		clock := uint64(from + i)
		s := Struct{Kind: StructItem, ID: ID{client, clock}, Length: 1, Content: Content{Kind: ContentString, Data: []byte("a")}}
		if clock == 0 {
			s.Parent, s.ParentName = ParentRoot, "t"
		} else {
			s.HasOrigin, s.Origin = true, ID{client, clock - 1}
		}
		u.Structs[i] = s
	}
	return u.Encode()
}

// allocated returns the bytes f allocates, the least of three runs (the count is the
// process's: the least run has the least of what else ran meanwhile).
func allocated(t *testing.T, f func()) uint64 {
	t.Helper()
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// A typed run longer than MaxStringBytes condenses to items that each fit it: one longer would
// leave a state that no merge reads back.
func TestCondenseKeepsTextUnderMaxStringBytes(t *testing.T) {
	t.Parallel()
	lim := Limits{MaxStringBytes: 1000}
	gc, err := Condense(context.Background(), typedRun(1, 0, 2500), lim)
	require.NoError(t, err)
	u, err := DecodeUpdateLimits(gc, lim)
	require.NoError(t, err)
	require.Len(t, u.Structs, 3)
	_, err = MergeUpdatesLimits(lim, gc, typedRun(2, 0, 1))
	require.NoError(t, err)
}

// A compaction's fold (merge, condense, state vector) is linear too: the bytes it allocates
// double when the state and the tail do.
func TestFoldLinear(t *testing.T) { // not parallel: it counts the process's allocations
	const n = 20_000
	cost := func(n int) uint64 {
		state, err := Condense(context.Background(), typedRun(1, 0, n), DefaultLimits())
		require.NoError(t, err)
		updates := [][]byte{state}
		for clock := n; clock < 2*n; clock += 500 {
			updates = append(updates, typedRun(1, clock, 500))
		}
		return allocated(t, func() {
			_, _, err := fold(context.Background(), DefaultLimits(), updates)
			require.NoError(t, err)
		})
	}
	small, large := cost(n), cost(2*n)
	t.Logf("fold of %d structs allocates %d bytes, of %d structs %d (%.2f×)", 2*n, small, 4*n, large, float64(large)/float64(small))
	require.Less(t, float64(large)/float64(small), 3.0)
}

// A fold looks at its context as it goes, counting the structs of all inputs together (each
// tail update is smaller than checkEvery), and ends with its error.
func TestFoldEndsWithItsContext(t *testing.T) {
	t.Parallel()
	updates := [][]byte{typedRun(1, 0, 100)}
	for clock := 100; clock < 100+64*500; clock += 500 {
		updates = append(updates, typedRun(1, clock, 500))
	}
	ctx := &endingContext{Context: context.Background(), looks: 3}
	_, _, err := fold(ctx, DefaultLimits(), updates)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 0, ctx.looks)

	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Condense(ended, typedRun(1, 0, 10), DefaultLimits())
	require.ErrorIs(t, err, context.Canceled)
}

// endingContext ends after its Err has been asked looks times.
type endingContext struct {
	context.Context
	looks int
}

func (c *endingContext) Err() error {
	if c.looks == 0 {
		return context.Canceled
	}
	c.looks--
	return nil
}
