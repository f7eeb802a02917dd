package yjs_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/yjs"
)

func history(t *testing.T, name string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name + ".json")
	require.NoError(t, err)
	var h struct{ Updates []string }
	require.NoError(t, json.Unmarshal(raw, &h))
	out := make([][]byte, len(h.Updates))
	for i, s := range h.Updates {
		out[i], err = base64.StdEncoding.DecodeString(s)
		require.NoError(t, err)
	}
	return out
}

func svOf(t *testing.T, updates ...[]byte) []byte {
	t.Helper()
	merged, err := yjs.MergeUpdates(updates...)
	require.NoError(t, err)
	sv, err := yjs.StateVectorFromUpdate(merged)
	require.NoError(t, err)
	return sv
}

func openDocs(t *testing.T, cfg yjs.DocsConfig) (*yjs.Docs, *db.DB) {
	t.Helper()
	database, err := db.Open(context.Background(), testdb.New(t).URL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(database.Close)
	err = database.RoomEnsure(context.Background(), "r")
	require.NoError(t, err)
	docs := yjs.NewDocs(database, cfg)
	t.Cleanup(docs.Close)
	return docs, database
}

// Compaction folds the tail into the state while appends go on, and loses nothing.
func TestDocsCompactWhileAppending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	docs, database := openDocs(t, yjs.DocsConfig{CompactRows: 4, FoldAge: time.Nanosecond})
	updates := history(t, "history-03")

	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := w; i < len(updates); i += 3 {
				_, err := docs.Append(ctx, "r", "d", updates[i], nil)
				assert.NoError(t, err)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			_, err := docs.Compact(ctx, "r", "d")
			assert.NoError(t, err)
		}
	})
	wg.Wait()
	docs.Close() // background compactions end
	_, err := docs.Compact(ctx, "r", "d")
	require.NoError(t, err)

	doc, err := docs.Load(ctx, "r", "d")
	require.NoError(t, err)
	require.Equal(t, svOf(t, updates...), svOf(t, doc))
	_, tail, err := database.YjsDocSize(ctx, "r", "d")
	require.NoError(t, err)
	require.Zero(t, tail, "everything folded")
	t.Logf("%d updates, %d bytes stored as one state of %d bytes", len(updates), total(updates), len(doc))
}

func total(updates [][]byte) int {
	n := 0
	for _, u := range updates {
		n += len(u)
	}
	return n
}

// Malformed and over-limit updates are refused and never stored; empty ones are not stored.
func TestDocsRefuseWhatTheyCannotStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	updates := history(t, "history-01")
	docs, database := openDocs(t, yjs.DocsConfig{MaxDocBytes: int64(len(updates[0]) + 10)})

	_, err := docs.Append(ctx, "r", "d", []byte{1, 2, 3}, nil)
	require.Equal(t, protocol.BadRequest, protocol.ErrorOf(err).Code)
	seq, err := docs.Append(ctx, "r", "d", yjs.EmptyUpdate(), nil)
	require.NoError(t, err)
	require.Zero(t, seq)
	var registered int64
	seq, err = docs.Append(ctx, "r", "d", updates[0], func(s int64) { registered = s })
	require.NoError(t, err)
	require.Equal(t, seq, registered)
	_, err = docs.Append(ctx, "r", "d", updates[1], nil)
	require.Equal(t, protocol.TooLarge, protocol.ErrorOf(err).Code)
	require.Contains(t, err.Error(), "limit")

	bytes, tail, err := database.YjsDocSize(ctx, "r", "d")
	require.NoError(t, err)
	require.Equal(t, int64(1), tail)
	require.Equal(t, int64(len(updates[0])), bytes)
}
