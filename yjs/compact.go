package yjs

import (
	"context"
	"time"

	"github.com/recordroom/recordroom/db"
)

// compactTimeout bounds one background compaction, its wait for a slot (MaxCompactions)
// included.
const compactTimeout = time.Minute

// compactLater folds the document's tail in the background, at most one compaction per
// document at a time on this replica (replicas exclude each other with a database lock).
func (d *Docs) compactLater(room, name string) {
	key := docKey{room, name}
	d.mu.Lock()
	if d.compacting[key] || d.ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	d.compacting[key] = true
	d.wg.Add(1)
	d.mu.Unlock()
	go func() {
		defer d.wg.Done()
		defer func() {
			d.mu.Lock()
			delete(d.compacting, key)
			d.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(d.ctx, compactTimeout)
		defer cancel()
		if n, err := d.Compact(ctx, room, name); err != nil && ctx.Err() == nil {
			d.cfg.Logger.Warn("yjs compaction failed", "room", room, "doc", name, "err", err)
		} else if n > 0 {
			d.cfg.Logger.Debug("yjs document compacted", "room", room, "doc", name, "folded", n)
		}
	}()
}

// Compact folds the tail rows older than FoldAge into the document's state, dropping the content
// of deleted items (Condense), and deletes them;
// it answers how many it folded. Appends go on meanwhile: they only add rows, and only rows
// read here are deleted (by seq, never by range, since seqs can commit out of order). At most
// MaxCompactions run at once; Compact waits for a slot before it takes a connection.
func (d *Docs) Compact(ctx context.Context, room, name string) (int, error) {
	select {
	case d.compactions <- struct{}{}:
		defer func() { <-d.compactions }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	folded := 0
	err := d.db.InTx(ctx, func(tx db.Store) error {
		// An upsert of the state after the record's delete would bring the document back.
		if exists, err := holdRecord(ctx, tx, room, name); err != nil || !exists {
			return err // deleted: its rows went with it
		}
		if err := tx.YjsDocLock(ctx, room, name); err != nil {
			return err
		}
		tail, err := tx.YjsUpdatesFoldable(ctx, room, name, d.cfg.FoldAge)
		if err != nil || len(tail) == 0 {
			return err
		}
		all, err := tx.YjsDocLoad(ctx, room, name)
		if err != nil {
			return err
		}
		updates := make([][]byte, 0, len(tail)+1)
		if len(all) > 0 && all[0].Seq == 0 {
			updates = append(updates, all[0].Update)
		}
		seqs := make([]int64, len(tail))
		for i, u := range tail {
			updates = append(updates, u.Update)
			seqs[i] = u.Seq
		}
		state, sv, err := fold(ctx, d.lim, updates)
		if err != nil {
			return err
		}
		if err := tx.YjsDocUpsert(ctx, room, name, state, sv); err != nil {
			return err
		}
		folded = len(seqs)
		return tx.YjsUpdatesDelete(ctx, room, name, seqs)
	})
	return folded, err
}

// fold merges a document's state with its tail and condenses the result, answering the new
// state and its state vector. Each step is linear in the bytes (Condense, and the merge, as
// the tail's updates are each one client's), and each ends early when ctx does: fold runs
// inside the compaction's transaction, holding a pool connection.
func fold(ctx context.Context, lim Limits, updates [][]byte) (state, sv []byte, err error) {
	if state, err = mergeUpdates(ctx, lim, updates); err != nil {
		return nil, nil, err
	}
	if state, err = Condense(ctx, state, lim); err != nil {
		return nil, nil, err
	}
	sv, err = StateVectorFromUpdateLimits(state, lim)
	return state, sv, err
}
