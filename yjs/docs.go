package yjs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// DocsConfig tunes document storage; zero fields take the defaults below.
type DocsConfig struct {
	// MaxDocBytes bounds a document's stored size (compacted state plus tail): an update that
	// would pass it is refused. Default 16 MiB.
	MaxDocBytes int64
	// CompactRows and CompactBytes: an append that leaves the tail with at least this many rows
	// or bytes starts a compaction. Defaults 200 and 512 KiB.
	CompactRows  int64
	CompactBytes int64
	// FoldAge is how old a tail row must be before compaction folds (and deletes) it: every
	// replica relays an update by reading its row when the notification arrives. Default 10 s.
	FoldAge time.Duration
	// MaxCompactions bounds the compactions running at once in this process: each is CPU work
	// inside a transaction, holding a pool connection. More wait their turn, holding none.
	// Default 2.
	MaxCompactions int
	Logger         *slog.Logger
}

// Docs stores Yjs documents (PROTOCOL.md §6): each accepted update is appended to the
// document's tail in its own transaction, so it is durable before anyone relays it; the tail is
// folded into the compacted state (yjs_docs) when it grows.
type Docs struct {
	db  *db.DB
	cfg DocsConfig
	lim Limits

	compactions chan struct{} // a slot per compaction running (MaxCompactions)
	mu          sync.Mutex
	compacting  map[docKey]bool
	wg          sync.WaitGroup
	ctx         context.Context // background compactions end with it
	stop        context.CancelFunc
}

type docKey struct{ room, name string }

// NewDocs makes the document store; Close waits for background compactions.
func NewDocs(database *db.DB, cfg DocsConfig) *Docs {
	if cfg.MaxDocBytes <= 0 {
		cfg.MaxDocBytes = 16 << 20
	}
	if cfg.CompactRows <= 0 {
		cfg.CompactRows = 200
	}
	if cfg.CompactBytes <= 0 {
		cfg.CompactBytes = 512 << 10
	}
	if cfg.FoldAge <= 0 {
		cfg.FoldAge = 10 * time.Second
	}
	if cfg.MaxCompactions <= 0 {
		cfg.MaxCompactions = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	lim := DefaultLimits()
	if int64(lim.MaxDocumentBytes) < 2*cfg.MaxDocBytes {
		lim.MaxDocumentBytes = int(2 * cfg.MaxDocBytes) // a merge may briefly hold state and tail
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Docs{
		db: database, cfg: cfg, lim: lim, ctx: ctx, stop: stop,
		compactions: make(chan struct{}, cfg.MaxCompactions), compacting: map[docKey]bool{},
	}
}

// Close stops background compactions and waits for them.
func (d *Docs) Close() {
	d.stop()
	d.wg.Wait()
}

// Load returns the whole document as one update (the empty update for a document never
// written).
func (d *Docs) Load(ctx context.Context, room, name string) ([]byte, error) {
	rows, err := d.db.YjsDocLoad(ctx, room, name)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return EmptyUpdate(), nil
	}
	updates := make([][]byte, len(rows))
	for i, r := range rows {
		updates[i] = r.Update
	}
	merged, err := mergeUpdates(ctx, d.lim, updates)
	if err != nil {
		return nil, fmt.Errorf("merge stored document %q: %w", name, err)
	}
	return merged, nil
}

// Append checks update and stores it at the end of the document's tail. registered runs with
// the new row's seq inside the transaction, before it commits, so a caller can recognise the
// row's notification however soon it arrives. An update holding nothing is not stored (seq 0).
func (d *Docs) Append(ctx context.Context, room, name string, update []byte, registered func(seq int64)) (int64, error) {
	u, err := DecodeUpdateLimits(update, d.lim)
	if err != nil {
		return 0, ClientError(err)
	}
	if len(u.Structs) == 0 && len(u.Deletes) == 0 {
		return 0, nil
	}
	var seq, bytes, rows int64
	err = d.db.InTx(ctx, func(tx db.Store) error {
		exists, err := holdRecord(ctx, tx, room, name)
		if err != nil {
			return err
		}
		if !exists {
			return protocol.New(protocol.NotFound, "the record of document %q does not exist", protocol.Clip(name))
		}
		if bytes, rows, err = tx.YjsDocSize(ctx, room, name); err != nil {
			return err
		}
		if bytes+int64(len(update)) > d.cfg.MaxDocBytes {
			return protocol.New(protocol.TooLarge, "document %q would pass its limit of %d bytes", protocol.Clip(name), d.cfg.MaxDocBytes)
		}
		if seq, err = tx.YjsUpdateInsert(ctx, room, name, update); err != nil {
			return err
		}
		if registered != nil {
			registered(seq)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if rows+1 >= d.cfg.CompactRows || bytes+int64(len(update)) >= d.cfg.CompactBytes {
		d.compactLater(room, name)
	}
	return seq, nil
}

// holdRecord keeps a field document's record (FieldDoc) from being deleted until tx ends, and
// answers whether it exists; any other document belongs to no record: true. A check at open or
// write time (DocAccess) races a delete; this lock does not: a delete waits for the rows tx
// stores and deletes them with the record, or committed before and the record is gone, when
// storing would bring its documents back for whoever creates a record with that id later.
// Taken first in a transaction, before any document row, so every writer locks record then
// document, as a delete does.
func holdRecord(ctx context.Context, tx db.Store, room, name string) (bool, error) {
	collection, id, ok := protocol.FieldDoc(name)
	if !ok {
		return true, nil
	}
	return tx.RecordLockKeyShare(ctx, db.RecordKey{Room: room, Collection: collection, ID: id})
}

// IsEmptyUpdate reports whether update is well-formed and changes nothing (no structs, no
// deletions), as a client's SyncStep2 is when it has nothing the server lacks.
func IsEmptyUpdate(update []byte) bool {
	if len(update) > 16 {
		return false // an empty update is a few bytes (yjs writes 00 00): no need to decode
	}
	u, err := DecodeUpdate(update)
	return err == nil && len(u.Structs) == 0 && len(u.Deletes) == 0
}

// ClientError turns a codec error into the error a client is answered with: which limit, or
// what is malformed.
func ClientError(err error) error {
	var lim *LimitError
	if errors.As(err, &lim) {
		return protocol.New(protocol.TooLarge, "update refused: %s is %d", lim.Limit, lim.Max)
	}
	if errors.Is(err, ErrMalformed) {
		return protocol.New(protocol.BadRequest, "not a well-formed Yjs update: %v", err)
	}
	return err
}

// Updates reads the named updates of a document, those that still exist in its tail.
func (d *Docs) Updates(ctx context.Context, room, name string, seqs []int64) ([]db.YjsUpdate, error) {
	return d.db.YjsUpdatesBySeq(ctx, room, name, seqs)
}

// Notify sends a notification on a channel (awareness between replicas: relayed, never stored).
func (d *Docs) Notify(ctx context.Context, channel, payload string) error {
	return d.db.Notify(ctx, channel, payload)
}
