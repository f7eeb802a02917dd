package db

import (
	"context"
	"encoding/json"
	"strconv"
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
	return affected(n, err, "delete record")
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

// RecordQuery selects records of one collection with SQL built by the where-compiler.
type RecordQuery struct {
	Room, Collection string
	// Where is a boolean SQL expression over the records columns; its placeholders start at $3
	// ($1 and $2 are Room and Collection) and Args holds their values. It must come from package
	// filter, which passes every user value as a parameter. Empty means every record.
	Where string
	Args  []any
	// OrderBy is the ORDER BY list, from package filter too.
	OrderBy string
	Limit   int
}

// RecordSelect runs q.
func (s Store) RecordSelect(ctx context.Context, q RecordQuery) ([]Record, error) {
	where := q.Where
	if where == "" {
		where = "true"
	}
	args := append([]any{q.Room, q.Collection}, q.Args...)
	args = append(args, q.Limit)
	sql := "SELECT room_id, collection, id, user_id, data, version, created_at, updated_at FROM records" +
		" WHERE room_id = $1 AND collection = $2 AND (" + where + ")" +
		" ORDER BY " + q.OrderBy + " LIMIT $" + strconv.Itoa(len(args))
	rows, err := s.conn.Query(ctx, sql, args...)
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
