package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// Record is one JSON object in a room's collection.
type Record struct {
	Room       string
	Collection string
	ID         string
	// UserID is the creator; it never changes.
	UserID    string
	Data      json.RawMessage
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RecordGet reads one record.
func (s Store) RecordGet(ctx context.Context, room, collection, id string) (Record, error) {
	row, err := s.q.RecordGet(ctx, dbsqlc.RecordGetParams{RoomID: room, Collection: collection, ID: id})
	if err != nil {
		return Record{}, translate(err, "get record")
	}
	return recordFromRow(row), nil
}

// RecordInsert creates a record at version 1; ErrConflict when the id exists.
func (s Store) RecordInsert(ctx context.Context, r Record) (Record, error) {
	row, err := s.q.RecordInsert(ctx, dbsqlc.RecordInsertParams{
		RoomID: r.Room, Collection: r.Collection, ID: r.ID, UserID: r.UserID, Data: r.Data,
	})
	if err != nil {
		return Record{}, translate(err, "insert record")
	}
	return recordFromRow(row), nil
}

// RecordDelete removes a record; ErrNotFound when there is none.
func (s Store) RecordDelete(ctx context.Context, room, collection, id string) error {
	n, err := s.q.RecordDelete(ctx, dbsqlc.RecordDeleteParams{RoomID: room, Collection: collection, ID: id})
	if err != nil {
		return translate(err, "delete record")
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func recordFromRow(r dbsqlc.Record) Record {
	return Record{
		Room:       r.RoomID,
		Collection: r.Collection,
		ID:         r.ID,
		UserID:     r.UserID,
		Data:       r.Data,
		Version:    r.Version,
		CreatedAt:  r.CreatedAt,
		UpdatedAt:  r.UpdatedAt,
	}
}
