package db

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// Pool is the underlying pgx pool, for tests that look at the server's own state (pg_locks).
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// InsertRecord is a plain single-row INSERT of r at version 1. The write path never runs one (it
// inserts through RecordInsertMany, which skips a key taken meanwhile instead of failing), but
// the tests of error translation and of transactions need a statement that fails on a taken key.
func InsertRecord(ctx context.Context, s Store, r Record) (Record, error) {
	var row dbsqlc.Record
	err := s.conn.QueryRow(ctx, `INSERT INTO records (room_id, collection, id, user_id, data)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING room_id, collection, id, user_id, data, version, created_at, updated_at`,
		r.Room, r.Collection, r.ID, r.UserID, r.Data,
	).Scan(&row.RoomID, &row.Collection, &row.ID, &row.UserID, &row.Data, &row.Version, &row.CreatedAt, &row.UpdatedAt)
	if err != nil {
		return Record{}, translate(err, "insert record")
	}
	return recordFromRow(row), nil
}

// DeleteRecord is a plain single-row DELETE: ErrNotFound when there is no such record.
func DeleteRecord(ctx context.Context, s Store, room, collection, id string) error {
	tag, err := s.conn.Exec(ctx, "DELETE FROM records WHERE room_id = $1 AND collection = $2 AND id = $3", room, collection, id)
	return affected(tag.RowsAffected(), err, "delete record")
}
