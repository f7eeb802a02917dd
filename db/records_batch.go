package db

import (
	"context"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// RecordKey names a record.
type RecordKey struct{ Room, Collection, ID string }

// Key is the record's key.
func (r Record) Key() RecordKey { return RecordKey{r.Room, r.Collection, r.ID} }

// keyColumns spreads keys into the parallel arrays the batch statements take.
func keyColumns(keys []RecordKey) (rooms, collections, ids []string) {
	rooms, collections, ids = make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		rooms[i], collections[i], ids[i] = k.Room, k.Collection, k.ID
	}
	return rooms, collections, ids
}

func recordKeys(recs []Record) []RecordKey {
	keys := make([]RecordKey, len(recs))
	for i, r := range recs {
		keys[i] = r.Key()
	}
	return keys
}

func dataColumn(recs []Record) []string {
	datas := make([]string, len(recs))
	for i, r := range recs {
		datas[i] = string(r.Data)
	}
	return datas
}

func recordsFrom(rows []dbsqlc.Record, err error, doing string) ([]Record, error) {
	if err != nil {
		return nil, translate(err, doing)
	}
	out := make([]Record, len(rows))
	for i, r := range rows {
		out[i] = recordFromRow(r)
	}
	return out, nil
}

// RecordLockMany reads and locks, until the transaction ends, those of keys that exist.
func (s Store) RecordLockMany(ctx context.Context, keys []RecordKey) ([]Record, error) {
	rooms, colls, ids := keyColumns(keys)
	rows, err := s.q.RecordLockMany(ctx, dbsqlc.RecordLockManyParams{Rooms: rooms, Collections: colls, Ids: ids})
	return recordsFrom(rows, err, "lock records")
}

// RecordInsertMany creates records at version 1 and returns those it created: a key another
// transaction took meanwhile is skipped.
func (s Store) RecordInsertMany(ctx context.Context, recs []Record) ([]Record, error) {
	rooms, colls, ids := keyColumns(recordKeys(recs))
	users := make([]string, len(recs))
	for i, r := range recs {
		users[i] = r.UserID
	}
	rows, err := s.q.RecordInsertMany(ctx, dbsqlc.RecordInsertManyParams{
		Rooms: rooms, Collections: colls, Ids: ids, UserIds: users, Datas: dataColumn(recs),
	})
	return recordsFrom(rows, err, "insert records")
}

// RecordUpdateMany replaces the data of existing records, each one version up.
func (s Store) RecordUpdateMany(ctx context.Context, recs []Record) ([]Record, error) {
	rooms, colls, ids := keyColumns(recordKeys(recs))
	rows, err := s.q.RecordUpdateMany(ctx, dbsqlc.RecordUpdateManyParams{Rooms: rooms, Collections: colls, Ids: ids, Datas: dataColumn(recs)})
	return recordsFrom(rows, err, "update records")
}

// RecordDeleteMany deletes records, and their field documents with them, and returns the records
// as they were.
func (s Store) RecordDeleteMany(ctx context.Context, keys []RecordKey) ([]Record, error) {
	rooms, colls, ids := keyColumns(keys)
	rows, err := s.q.RecordDeleteMany(ctx, dbsqlc.RecordDeleteManyParams{Rooms: rooms, Collections: colls, Ids: ids})
	return recordsFrom(rows, err, "delete records")
}

// RecordLockKeyShare holds the record, when it exists, until the transaction ends: it cannot be
// deleted meanwhile (its data can change). It answers whether the record exists.
func (s Store) RecordLockKeyShare(ctx context.Context, k RecordKey) (bool, error) {
	ok, err := s.q.RecordLockKeyShare(ctx, dbsqlc.RecordLockKeyShareParams{RoomID: k.Room, Collection: k.Collection, ID: k.ID})
	return ok, translate(err, "lock record")
}
