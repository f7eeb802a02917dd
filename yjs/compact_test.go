package yjs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// A compaction waits for one of MaxCompactions slots before it touches the database, and
// gives up waiting when its context ends.
func TestCompactWaitsForASlot(t *testing.T) {
	t.Parallel()
	byDefault := NewDocs(nil, DocsConfig{})
	t.Cleanup(byDefault.Close)
	require.Equal(t, 2, cap(byDefault.compactions))
	d := NewDocs(nil, DocsConfig{MaxCompactions: 1}) // no database: reaching it would panic
	t.Cleanup(d.Close)
	d.compactions <- struct{}{} // the one slot, taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := d.Compact(ctx, "r", "d")
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, n)
}
