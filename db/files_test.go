package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
)

func newFile(path string, size int64) db.File {
	return db.File{Room: "room-1", ScopeKey: "widgets/w1", Path: path, Size: size, ContentType: "text/plain", ETag: `"e1"`, CreatedBy: "alice"}
}

// A file's row is written, read back, replaced by a second upload to its path (created_at kept)
// and deleted.
func TestFileUpsertGetDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	require.NoError(t, d.RoomEnsure(ctx, "room-1"))

	first, err := d.FileUpsert(ctx, newFile("docs/a.txt", 5))
	require.NoError(t, err)
	require.Equal(t, "docs/a.txt", first.Path)
	require.Equal(t, int64(5), first.Size)
	require.Equal(t, first.CreatedAt, first.UpdatedAt)

	got, err := d.FileGet(ctx, "room-1", "widgets/w1", "docs/a.txt")
	require.NoError(t, err)
	require.Equal(t, first, got)

	second := newFile("docs/a.txt", 9)
	second.ContentType, second.ETag, second.CreatedBy = "image/png", `"e2"`, "bob"
	replaced, err := d.FileUpsert(ctx, second)
	require.NoError(t, err)
	require.Equal(t, int64(9), replaced.Size)
	require.Equal(t, "image/png", replaced.ContentType)
	require.Equal(t, `"e2"`, replaced.ETag)
	require.Equal(t, "bob", replaced.CreatedBy)
	require.Equal(t, first.CreatedAt, replaced.CreatedAt)
	require.False(t, replaced.UpdatedAt.Before(first.UpdatedAt))

	ok, err := d.FileExists(ctx, "room-1", "widgets/w1", "docs/a.txt")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, d.FileDelete(ctx, "room-1", "widgets/w1", "docs/a.txt"))
	require.ErrorIs(t, d.FileDelete(ctx, "room-1", "widgets/w1", "docs/a.txt"), db.ErrNotFound)
	_, err = d.FileGet(ctx, "room-1", "widgets/w1", "docs/a.txt")
	require.ErrorIs(t, err, db.ErrNotFound)
	ok, err = d.FileExists(ctx, "room-1", "widgets/w1", "docs/a.txt")
	require.NoError(t, err)
	require.False(t, ok)
}

// Listing matches the prefix byte for byte (LIKE's wildcards are plain characters), stays in
// its room and scope, orders by bytes and honours the limit.
func TestFileListPrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	for _, room := range []string{"room-1", "room-2"} {
		require.NoError(t, d.RoomEnsure(ctx, room))
	}
	for _, p := range []string{"a%b", "axb", "a_c", "abc", "B", "a", "é"} {
		_, err := d.FileUpsert(ctx, newFile(p, 1))
		require.NoError(t, err)
	}
	other := newFile("a%b-other-scope", 1)
	other.ScopeKey = "users/alice"
	_, err := d.FileUpsert(ctx, other)
	require.NoError(t, err)
	elsewhere := newFile("a%b-other-room", 1)
	elsewhere.Room = "room-2"
	_, err = d.FileUpsert(ctx, elsewhere)
	require.NoError(t, err)

	paths := func(prefix string, limit int) []string {
		files, err := d.FileList(ctx, "room-1", "widgets/w1", prefix, limit)
		require.NoError(t, err)
		out := []string{}
		for _, f := range files {
			out = append(out, f.Path)
		}
		return out
	}
	require.Equal(t, []string{"a%b"}, paths("a%", 100))
	require.Equal(t, []string{"a_c"}, paths("a_", 100))
	require.Equal(t, []string{"B", "a", "a%b", "a_c", "abc", "axb", "é"}, paths("", 100))
	require.Equal(t, []string{"B", "a"}, paths("", 2))
	require.Empty(t, paths("z", 100))
}

// FileLocked makes a second holder of the same key wait until the first is done, and a key's
// lock is free again after fn fails.
func TestFileLockedSerialises(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)

	held, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- d.FileLocked(ctx, "room-1", "widgets/w1", "p", func(db.Store) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	secondIn := make(chan struct{})
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- d.FileLocked(ctx, "room-1", "widgets/w1", "p", func(db.Store) error {
			close(secondIn)
			return nil
		})
	}()
	waitForLockWaiter(t, d)
	select {
	case <-secondIn:
		t.Fatal("the second holder got in while the first held the lock")
	default:
	}
	close(release)
	require.NoError(t, <-firstDone)
	require.NoError(t, <-secondDone)
	<-secondIn

	boom := errors.New("boom")
	require.ErrorIs(t, d.FileLocked(ctx, "room-1", "widgets/w1", "p", func(db.Store) error { return boom }), boom)
	require.NoError(t, d.FileLocked(ctx, "room-1", "widgets/w1", "p", func(db.Store) error { return nil }))
}

// A holder that gives up waiting does not leave the lock behind on a pooled connection.
func TestFileLockedCancelledWaitLeavesNoLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)

	held, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- d.FileLocked(ctx, "room-1", "widgets/w1", "p", func(db.Store) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	waitCtx, cancel := context.WithCancel(ctx)
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- d.FileLocked(waitCtx, "room-1", "widgets/w1", "p", func(db.Store) error { return nil })
	}()
	waitForLockWaiter(t, d)
	cancel()
	require.Error(t, <-secondDone)
	close(release)
	require.NoError(t, <-firstDone)

	// The abandoned session may still be granted the lock for a moment before its server
	// process notices the closed connection; it must not keep it.
	again, cancelAgain := context.WithTimeout(ctx, time.Minute)
	defer cancelAgain()
	require.NoError(t, d.FileLocked(again, "room-1", "widgets/w1", "p", func(db.Store) error { return nil }))
}

// waitForLockWaiter polls pg_locks until a session waits for an advisory lock of this database.
func waitForLockWaiter(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		var waiting bool
		require.NoError(t, d.Pool().QueryRow(ctx,
			"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))").Scan(&waiting))
		if waiting {
			return
		}
		require.Less(t, i, 100000, "nobody ever waited for the lock")
	}
}
