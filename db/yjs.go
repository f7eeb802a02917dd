package db

import (
	"context"
	"time"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// YjsUpdate is one stored Yjs update of a document; Seq 0 is the compacted state.
type YjsUpdate struct {
	Seq    int64
	Update []byte
}

// YjsDocLoad reads a document's compacted state (Seq 0, when there is one) and its tail, in
// the order written, from one snapshot.
func (s Store) YjsDocLoad(ctx context.Context, room, name string) ([]YjsUpdate, error) {
	rows, err := s.q.YjsDocLoad(ctx, dbsqlc.YjsDocLoadParams{RoomID: room, Name: name})
	return yjsUpdates(rows, err, "load yjs document", func(r dbsqlc.YjsDocLoadRow) YjsUpdate { return YjsUpdate(r) })
}

// YjsUpdateInsert appends an update to a document's tail and returns its seq.
func (s Store) YjsUpdateInsert(ctx context.Context, room, name string, update []byte) (int64, error) {
	seq, err := s.q.YjsUpdateInsert(ctx, dbsqlc.YjsUpdateInsertParams{RoomID: room, Name: name, Update: update})
	return seq, translate(err, "append yjs update")
}

// YjsUpdatesBySeq reads the named updates of a document that still exist.
func (s Store) YjsUpdatesBySeq(ctx context.Context, room, name string, seqs []int64) ([]YjsUpdate, error) {
	rows, err := s.q.YjsUpdatesBySeq(ctx, dbsqlc.YjsUpdatesBySeqParams{RoomID: room, Name: name, Seqs: seqs})
	return yjsUpdates(rows, err, "read yjs updates", func(r dbsqlc.YjsUpdatesBySeqRow) YjsUpdate { return YjsUpdate(r) })
}

// YjsDocSize is how many bytes a document takes in storage, and how many tail rows it has.
func (s Store) YjsDocSize(ctx context.Context, room, name string) (bytes, tailRows int64, err error) {
	row, err := s.q.YjsDocSize(ctx, dbsqlc.YjsDocSizeParams{RoomID: room, Name: name})
	return row.Bytes, row.TailRows, translate(err, "size yjs document")
}

// YjsDocLock holds the document's compaction lock until the transaction ends.
func (s Store) YjsDocLock(ctx context.Context, room, name string) error {
	return translate(s.q.YjsDocLock(ctx, dbsqlc.YjsDocLockParams{RoomID: room, Name: name}), "lock yjs document")
}

// YjsUpdatesFoldable reads the tail rows written more than minAge ago.
func (s Store) YjsUpdatesFoldable(ctx context.Context, room, name string, minAge time.Duration) ([]YjsUpdate, error) {
	rows, err := s.q.YjsUpdatesFoldable(ctx, dbsqlc.YjsUpdatesFoldableParams{RoomID: room, Name: name, MinAgeSeconds: minAge.Seconds()})
	return yjsUpdates(rows, err, "read yjs tail", func(r dbsqlc.YjsUpdatesFoldableRow) YjsUpdate { return YjsUpdate(r) })
}

// YjsDocUpsert stores a document's compacted state.
func (s Store) YjsDocUpsert(ctx context.Context, room, name string, state, stateVector []byte) error {
	err := s.q.YjsDocUpsert(ctx, dbsqlc.YjsDocUpsertParams{RoomID: room, Name: name, State: state, StateVector: stateVector})
	return translate(err, "store yjs document")
}

// YjsUpdatesDelete deletes folded tail rows.
func (s Store) YjsUpdatesDelete(ctx context.Context, room, name string, seqs []int64) error {
	err := s.q.YjsUpdatesDelete(ctx, dbsqlc.YjsUpdatesDeleteParams{RoomID: room, Name: name, Seqs: seqs})
	return translate(err, "delete folded yjs updates")
}

// yjsUpdates maps the (seq, update) rows of any of the queries above.
func yjsUpdates[R any](rows []R, err error, doing string, conv func(R) YjsUpdate) ([]YjsUpdate, error) {
	if err != nil {
		return nil, translate(err, doing)
	}
	out := make([]YjsUpdate, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out, nil
}

// NotifyKey is the key replicas sign the notifications that carry data with.
func (s Store) NotifyKey(ctx context.Context) ([]byte, error) {
	key, err := s.q.NotifyKey(ctx)
	return key, translate(err, "read the notify key")
}

// Notify sends payload on a NOTIFY channel.
func (s Store) Notify(ctx context.Context, channel, payload string) error {
	return translate(s.q.Notify(ctx, dbsqlc.NotifyParams{Channel: channel, Payload: payload}), "notify")
}
