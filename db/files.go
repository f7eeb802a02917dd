package db

import (
	"context"
	"time"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// File is the metadata of one stored object: the database's account of what S3 holds, so that
// listing never needs S3 LIST.
type File struct {
	Room string
	// ScopeKey is widgets/{widgetId} or users/{userId}.
	ScopeKey    string
	Path        string
	Size        int64
	ContentType string
	ETag        string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FileGet reads one file's metadata.
func (s Store) FileGet(ctx context.Context, room, scopeKey, path string) (File, error) {
	row, err := s.q.FileGet(ctx, dbsqlc.FileGetParams{RoomID: room, ScopeKey: scopeKey, Path: path})
	if err != nil {
		return File{}, translate(err, "get file")
	}
	return fileFromRow(row), nil
}

// FileUpsert writes a file's metadata, replacing that of an earlier upload to the same path.
func (s Store) FileUpsert(ctx context.Context, f File) (File, error) {
	row, err := s.q.FileUpsert(ctx, dbsqlc.FileUpsertParams{
		RoomID: f.Room, ScopeKey: f.ScopeKey, Path: f.Path, Size: f.Size,
		ContentType: f.ContentType, Etag: f.ETag, CreatedBy: f.CreatedBy,
	})
	if err != nil {
		return File{}, translate(err, "upsert file")
	}
	return fileFromRow(row), nil
}

// FileList lists at most limit files of one scope whose path starts with prefix (matched byte
// for byte: % and _ are not wildcards), ordered by path.
func (s Store) FileList(ctx context.Context, room, scopeKey, prefix string, limit int) ([]File, error) {
	rows, err := s.q.FileList(ctx, dbsqlc.FileListParams{
		RoomID: room, ScopeKey: scopeKey, Prefix: prefix, MaxRows: int32(min(limit, 1<<30)),
	})
	if err != nil {
		return nil, translate(err, "list files")
	}
	files := make([]File, len(rows))
	for i, r := range rows {
		files[i] = fileFromRow(r)
	}
	return files, nil
}

// FileDelete removes a file's metadata; ErrNotFound when there is none.
func (s Store) FileDelete(ctx context.Context, room, scopeKey, path string) error {
	n, err := s.q.FileDelete(ctx, dbsqlc.FileDeleteParams{RoomID: room, ScopeKey: scopeKey, Path: path})
	if err != nil {
		return translate(err, "delete file")
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// FileExists tells whether a file has metadata.
func (s Store) FileExists(ctx context.Context, room, scopeKey, path string) (bool, error) {
	ok, err := s.q.FileExists(ctx, dbsqlc.FileExistsParams{RoomID: room, ScopeKey: scopeKey, Path: path})
	if err != nil {
		return false, translate(err, "look for file")
	}
	return ok, nil
}

func fileFromRow(r dbsqlc.File) File {
	return File{
		Room: r.RoomID, ScopeKey: r.ScopeKey, Path: r.Path, Size: r.Size, ContentType: r.ContentType,
		ETag: r.Etag, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// FileLocked runs fn while holding a lock on one file key that every replica respects. Changing
// a file touches two systems, S3 and this database, that share no transaction: the lock keeps an
// upload and a delete of the same path (or a sweep) from interleaving their two steps.
//
// The lock is a session-level advisory lock on a connection of its own (from the session pool:
// behind a transaction-mode pooler, a session lock would stay on whichever server connection
// the pooler picked), so fn's statements commit one by one and an S3 call inside fn holds no
// transaction open. fn must use the Store it
// is given: another connection could wait on the lock this one holds.
func (d *DB) FileLocked(ctx context.Context, room, scopeKey, path string, fn func(Store) error) (err error) {
	conn, err := d.session.Acquire(ctx)
	if err != nil {
		return translate(err, "acquire connection for file lock")
	}
	key := dbsqlc.FileLockParams{RoomID: room, ScopeKey: scopeKey, Path: path}
	q := dbsqlc.New(conn)
	if err := q.FileLock(ctx, key); err != nil {
		// A lock request cancelled midway may still have been granted: never reuse the conn.
		_ = conn.Hijack().Close(context.WithoutCancel(ctx))
		return translate(err, "lock file")
	}
	defer func() {
		// Unlock even when ctx is done; a connection that may still hold the lock never goes
		// back to the pool, where it would block this key until the server restarts.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		released, uerr := q.FileUnlock(unlockCtx, dbsqlc.FileUnlockParams(key))
		if uerr != nil || !released {
			_ = conn.Hijack().Close(unlockCtx)
			if err == nil && uerr != nil {
				err = translate(uerr, "unlock file")
			}
			return
		}
		conn.Release()
	}()
	return fn(newStore(conn))
}
