package records_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/internal/yjstest"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
	"github.com/recordroom/recordroom/yjs"
)

// fieldDocs is a schemaless room "r" with its records and its Yjs documents.
type fieldDocs struct {
	s    *records.Service
	docs *yjs.Docs
	pool *pgxpool.Pool
}

func newFieldDocs(t *testing.T, d testdb.DB) fieldDocs {
	t.Helper()
	database, err := db.Open(context.Background(), d.URL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(database.Close)
	require.NoError(t, database.RoomEnsure(context.Background(), "r"))
	s, err := records.New(database, nil, records.Limits{})
	require.NoError(t, err)
	// FoldAge 1ns: a Compact folds the whole tail, so a document has both kinds of row.
	docs := yjs.NewDocs(database, yjs.DocsConfig{FoldAge: time.Nanosecond})
	t.Cleanup(docs.Close)
	return fieldDocs{s: s, docs: docs, pool: d.Pool(t)}
}

// yjsHistory is a recorded sequence of Yjs updates (the yjs package's fixtures).
func yjsHistory(t *testing.T) [][]byte {
	t.Helper()
	out := yjstest.History(t, "history-01.json")
	require.GreaterOrEqual(t, len(out), 3)
	return out
}

// write stores updates in document name, compacting after the first: the document then has a
// compacted state (yjs_docs) and a tail (yjs_updates).
func (f fieldDocs) write(t *testing.T, name string, updates ...[]byte) {
	t.Helper()
	ctx := context.Background()
	for i, u := range updates {
		_, err := f.docs.Append(ctx, "r", name, u, nil)
		require.NoError(t, err, name)
		if i == 0 {
			_, err = f.docs.Compact(ctx, "r", name)
			require.NoError(t, err, name)
		}
	}
}

// requireEmpty checks that nothing of document name is stored.
func (f fieldDocs) requireEmpty(t *testing.T, name string) {
	t.Helper()
	doc, err := f.docs.Load(context.Background(), "r", name)
	require.NoError(t, err)
	require.Equal(t, yjs.EmptyUpdate(), doc, "%s should be empty", name)
	var rows int
	err = f.pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM yjs_docs WHERE name = $1)
		+ (SELECT count(*) FROM yjs_updates WHERE name = $1)`, name).Scan(&rows)
	require.NoError(t, err)
	require.Zero(t, rows, name)
}

// requireHolds checks that document name still holds want.
func (f fieldDocs) requireHolds(t *testing.T, name string, want ...[]byte) {
	t.Helper()
	doc, err := f.docs.Load(context.Background(), "r", name)
	require.NoError(t, err)
	merged, err := yjs.MergeUpdates(want...)
	require.NoError(t, err)
	gotSV, err := yjs.StateVectorFromUpdate(doc)
	require.NoError(t, err)
	wantSV, err := yjs.StateVectorFromUpdate(merged)
	require.NoError(t, err)
	require.Equal(t, wantSV, gotSV, "%s lost content", name)
}

func (f fieldDocs) create(t *testing.T, collection, id string) {
	t.Helper()
	_, err := f.s.Create(context.Background(), alice, key(collection, id), json.RawMessage(`{}`))
	require.NoError(t, err)
}

func (f fieldDocs) remove(t *testing.T, collection, id string) {
	t.Helper()
	_, err := f.s.Remove(context.Background(), alice, key(collection, id), records.RemoveParams{})
	require.NoError(t, err)
}

// A record created with the id of a deleted one starts with empty field documents: the old
// record's went with it, state and tail. Documents that are not its field documents stay.
func TestFieldDocumentsGoWithTheirRecord(t *testing.T) {
	t.Parallel()
	f := newFieldDocs(t, testdb.New(t))
	u := yjsHistory(t)
	f.create(t, "tasks", "x")
	f.write(t, "tasks/x/body", u[0], u[1])
	f.write(t, "tasks/x/title", u[0])
	f.write(t, "tasks/x/a/b", u[0]) // four segments: a room document, not the record's
	f.write(t, "tasks/x", u[0])

	f.remove(t, "tasks", "x")
	f.requireEmpty(t, "tasks/x/body")
	f.requireEmpty(t, "tasks/x/title")
	f.requireHolds(t, "tasks/x/a/b", u[0])
	f.requireHolds(t, "tasks/x", u[0])

	f.create(t, "tasks", "x")
	f.requireEmpty(t, "tasks/x/body")
	f.write(t, "tasks/x/body", u[2])
	f.requireHolds(t, "tasks/x/body", u[2])
}

// Deleting a record never deletes another's documents, whatever its id and collection hold: _
// is no wildcard, . is no pattern, and tasks/a is not a prefix of tasks/ab/…; byte for byte in
// an ICU database too.
func TestFieldDocumentsOfOtherRecordsStay(t *testing.T) {
	t.Parallel()
	for name, newDB := range map[string]func(testing.TB) testdb.DB{"plain": testdb.New, "icu": testdb.NewICU} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFieldDocs(t, newDB(t))
			u := yjsHistory(t)
			keys := [][2]string{
				{"tasks", "a_b"}, {"tasks", "aXb"}, {"tasks", "a"}, {"tasks", "a.b"}, {"tasks", "ab"},
				{"tasks", "A"}, {"t_x", "1"}, {"tax", "1"}, {"t", "x_1"},
			}
			for _, k := range keys {
				f.create(t, k[0], k[1])
				f.write(t, k[0]+"/"+k[1]+"/body", u[0], u[1])
			}
			gone := map[string]bool{"tasks/a_b/body": true, "tasks/a/body": true, "t_x/1/body": true}
			f.remove(t, "tasks", "a_b")
			f.remove(t, "tasks", "a")
			f.remove(t, "t_x", "1")
			for _, k := range keys {
				name := k[0] + "/" + k[1] + "/body"
				if gone[name] {
					f.requireEmpty(t, name)
				} else {
					f.requireHolds(t, name, u[0], u[1])
				}
			}
		})
	}
}

// An update that comes after its record's delete committed (a socket whose access check passed
// before it) is refused and stores nothing; a compaction then brings nothing back either.
func TestFieldDocumentUpdateAfterTheDeleteIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFieldDocs(t, testdb.New(t))
	u := yjsHistory(t)
	f.create(t, "tasks", "x")
	f.write(t, "tasks/x/body", u[0])
	f.remove(t, "tasks", "x")

	_, err := f.docs.Append(ctx, "r", "tasks/x/body", u[1], nil)
	require.Equal(t, protocol.NotFound, protocol.ErrorOf(err).Code, "%v", err)
	n, err := f.docs.Compact(ctx, "r", "tasks/x/body")
	require.NoError(t, err)
	require.Zero(t, n)
	f.create(t, "tasks", "x")
	f.requireEmpty(t, "tasks/x/body")
}

// An update being stored holds its record: a delete cannot take the record until the update
// commits, and then deletes the update with it. Without the hold the delete would commit first
// and the update's row would outlive the record.
func TestFieldDocumentUpdateRacingTheDeleteGoesWithIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFieldDocs(t, testdb.New(t))
	u := yjsHistory(t)
	f.create(t, "tasks", "x")

	stored, release := make(chan struct{}), make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce) // a failed test must not leave the update's transaction open
	appended := make(chan error, 1)
	go func() {
		_, err := f.docs.Append(ctx, "r", "tasks/x/body", u[0], func(int64) {
			close(stored) // the row is written, not yet committed
			<-release
		})
		appended <- err
	}()
	<-stored
	// What the delete's batch does first, but without waiting: the record is held.
	_, err := f.pool.Exec(ctx, `SELECT 1 FROM records WHERE room_id = 'r' AND collection = 'tasks' AND id = 'x' FOR UPDATE NOWAIT`)
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "the record is not held by the update: %v", err)
	require.Equal(t, "55P03", pgErr.Code) // lock_not_available

	removed := make(chan error, 1)
	go func() {
		_, err := f.s.Remove(ctx, alice, key("tasks", "x"), records.RemoveParams{})
		removed <- err
	}()
	releaseOnce() // before or after the delete reaches the lock: either way nothing may stay
	require.NoError(t, <-appended)
	require.NoError(t, <-removed)
	f.requireEmpty(t, "tasks/x/body")
	f.create(t, "tasks", "x")
	f.requireEmpty(t, "tasks/x/body")
}
