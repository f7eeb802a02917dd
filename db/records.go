package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

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

// RecordQuery is a select over records whose conditions are built at run time.
type RecordQuery struct {
	// Clauses follow SELECT <columns> FROM records: WHERE, ORDER BY, LIMIT. They must come from
	// package filter (filter.Select.SQL), which passes every user value as a parameter; Args
	// holds those values, for $1 on.
	Clauses string
	Args    []any
}

// RecordSelect runs q.
func (s Store) RecordSelect(ctx context.Context, q RecordQuery) ([]Record, error) {
	sql := "SELECT room_id, collection, id, user_id, data, version, created_at, updated_at FROM records " + q.Clauses
	rows, err := s.conn.Query(ctx, sql, q.Args...)
	if err != nil {
		return nil, translate(err, "query records")
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var r dbsqlc.Record
		err := row.Scan(&r.RoomID, &r.Collection, &r.ID, &r.UserID, &r.Data, &r.Version, &r.CreatedAt, &r.UpdatedAt)
		return recordFromRow(r), err
	})
	if err != nil {
		return nil, translate(err, "query records")
	}
	return recs, nil
}

// RecordListByIDs reads the records of one collection with the given ids; missing ones are
// simply absent.
func (s Store) RecordListByIDs(ctx context.Context, room, collection string, ids []string) ([]Record, error) {
	rows, err := s.q.RecordListByIDs(ctx, dbsqlc.RecordListByIDsParams{RoomID: room, Collection: collection, Ids: ids})
	if err != nil {
		return nil, translate(err, "list records by id")
	}
	recs := make([]Record, len(rows))
	for i, r := range rows {
		recs[i] = recordFromRow(r)
	}
	return recs, nil
}
