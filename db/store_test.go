package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
)

// openDB opens a pool on a fresh migrated database of the test's own, closed when t ends.
func openDB(t *testing.T) *db.DB {
	t.Helper()
	tdb := testdb.New(t)
	d, err := db.Open(context.Background(), tdb.URL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	return d
}

func newRecord(room, id string) db.Record {
	return db.Record{Room: room, Collection: "tasks", ID: id, UserID: "alice", Data: json.RawMessage(`{"title":"Write tests"}`)}
}

// A room exists from its first access: ensuring it again changes nothing, and a new room has the
// default settings and no schema.
func TestRoomEnsureIsIdempotentAndNewRoomsHaveDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)

	_, err := d.RoomGet(ctx, "room-1")
	require.ErrorIs(t, err, db.ErrNotFound)

	require.NoError(t, d.RoomEnsure(ctx, "room-1"))
	room, err := d.RoomGet(ctx, "room-1")
	require.NoError(t, err)
	require.Equal(t, "room-1", room.ID)
	require.Equal(t, "member", room.DefaultRole)
	require.False(t, room.AllowAnonymous)
	require.Nil(t, room.Schema)
	require.WithinDuration(t, time.Now(), room.CreatedAt, time.Minute)
	require.Equal(t, room.CreatedAt, room.UpdatedAt)

	require.NoError(t, d.RoomEnsure(ctx, "room-1"))
	again, err := d.RoomGet(ctx, "room-1")
	require.NoError(t, err)
	require.Equal(t, room, again, "ensuring an existing room leaves it as it was")
}

// A new record starts at version 1 with both timestamps set to its creation; reading it back
// gives the same record, and deleting it makes it unreadable.
func TestRecordInsertGetDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	require.NoError(t, d.RoomEnsure(ctx, "room-1"))

	created, err := d.RecordInsertMany(ctx, []db.Record{newRecord("room-1", "task-1")})
	require.NoError(t, err)
	require.Len(t, created, 1)
	inserted := created[0]
	require.Equal(t, "room-1", inserted.Room)
	require.Equal(t, "tasks", inserted.Collection)
	require.Equal(t, "task-1", inserted.ID)
	require.Equal(t, "alice", inserted.UserID)
	require.JSONEq(t, `{"title":"Write tests"}`, string(inserted.Data))
	require.Equal(t, int64(1), inserted.Version)
	require.WithinDuration(t, time.Now(), inserted.CreatedAt, time.Minute)
	require.Equal(t, inserted.CreatedAt, inserted.UpdatedAt)

	got, err := d.RecordGet(ctx, "room-1", "tasks", "task-1")
	require.NoError(t, err)
	require.Equal(t, inserted, got)

	deleted, err := d.RecordDeleteMany(ctx, []db.RecordKey{inserted.Key()})
	require.NoError(t, err)
	require.Equal(t, []db.Record{inserted}, deleted, "a delete returns the record as it was")
	_, err = d.RecordGet(ctx, "room-1", "tasks", "task-1")
	require.ErrorIs(t, err, db.ErrNotFound)
}

// The database's refusals reach callers as the package's sentinel errors, whatever the cause.
func TestRecordErrorsAreTranslated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)
	require.NoError(t, d.RoomEnsure(ctx, "room-1"))
	_, err := db.InsertRecord(ctx, d.Store, newRecord("room-1", "task-1"))
	require.NoError(t, err)

	t.Run("insert of an existing id is a conflict", func(t *testing.T) {
		t.Parallel()
		_, err := db.InsertRecord(ctx, d.Store, newRecord("room-1", "task-1"))
		require.ErrorIs(t, err, db.ErrConflict)
		require.NotErrorIs(t, err, db.ErrInvalid)
		// The same id in another collection is another record.
		other := newRecord("room-1", "task-1")
		other.Collection = "notes"
		_, err = db.InsertRecord(ctx, d.Store, other)
		require.NoError(t, err)
	})
	t.Run("get of a missing record is not found", func(t *testing.T) {
		t.Parallel()
		_, err := d.RecordGet(ctx, "room-1", "tasks", "missing")
		require.ErrorIs(t, err, db.ErrNotFound)
	})
	t.Run("delete of a missing record is not found", func(t *testing.T) {
		t.Parallel()
		require.ErrorIs(t, db.DeleteRecord(ctx, d.Store, "room-1", "tasks", "missing"), db.ErrNotFound)
	})

	invalid := map[string]func(*db.Record){
		"id with a slash":            func(r *db.Record) { r.ID = "a/b" },
		"empty id":                   func(r *db.Record) { r.ID = "" },
		"collection with a space":    func(r *db.Record) { r.Collection = "my tasks" },
		"data that is not an object": func(r *db.Record) { r.Data = json.RawMessage(`[1, 2]`) },
		"no data":                    func(r *db.Record) { r.Data = nil },
		"no creator":                 func(r *db.Record) { r.UserID = "" },
		"room that does not exist":   func(r *db.Record) { r.Room = "no-such-room" },
	}
	for name, change := range invalid {
		t.Run(name+" is invalid", func(t *testing.T) {
			t.Parallel()
			r := newRecord("room-1", "task-2")
			change(&r)
			_, err := db.InsertRecord(ctx, d.Store, r)
			require.ErrorIs(t, err, db.ErrInvalid)
			_, err = d.RecordGet(ctx, r.Room, r.Collection, r.ID)
			require.ErrorIs(t, err, db.ErrNotFound, "the refused insert left no row")
		})
	}
}

// InTx commits everything fn did when fn returns nil and nothing when it returns an error; inside,
// fn sees its own writes.
func TestInTxCommitsOrRollsBackAsOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openDB(t)

	errAbort := errors.New("abort")
	err := d.InTx(ctx, func(s db.Store) error {
		require.NoError(t, s.RoomEnsure(ctx, "room-1"))
		_, err := db.InsertRecord(ctx, s, newRecord("room-1", "task-1"))
		require.NoError(t, err)
		_, err = s.RecordGet(ctx, "room-1", "tasks", "task-1")
		require.NoError(t, err, "a transaction sees its own writes")
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	_, err = d.RoomGet(ctx, "room-1")
	require.ErrorIs(t, err, db.ErrNotFound, "the room was rolled back")
	_, err = d.RecordGet(ctx, "room-1", "tasks", "task-1")
	require.ErrorIs(t, err, db.ErrNotFound, "the record was rolled back")

	err = d.InTx(ctx, func(s db.Store) error {
		if err := s.RoomEnsure(ctx, "room-1"); err != nil {
			return err
		}
		_, err := db.InsertRecord(ctx, s, newRecord("room-1", "task-1"))
		return err
	})
	require.NoError(t, err)
	_, err = d.RoomGet(ctx, "room-1")
	require.NoError(t, err)
	_, err = d.RecordGet(ctx, "room-1", "tasks", "task-1")
	require.NoError(t, err)

	// A statement that fails inside the transaction aborts all of it, earlier statements included.
	err = d.InTx(ctx, func(s db.Store) error {
		if _, err := db.InsertRecord(ctx, s, newRecord("room-1", "task-2")); err != nil {
			return err
		}
		_, err := db.InsertRecord(ctx, s, newRecord("room-1", "task-1"))
		return err
	})
	require.ErrorIs(t, err, db.ErrConflict)
	_, err = d.RecordGet(ctx, "room-1", "tasks", "task-2")
	require.ErrorIs(t, err, db.ErrNotFound, "task-2 went with the failed transaction")
}
