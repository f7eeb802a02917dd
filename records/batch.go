package records

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/schema"
)

// Group commit. Every committed transaction that NOTIFYs takes a cluster-wide lock at commit, so
// one transaction per mutation caps a whole cluster at a few thousand writes a second. Concurrent
// mutations are therefore written together: one transaction, one statement per kind (insert,
// update, delete) for the whole batch, while each mutation keeps its own outcome. A batch leaves
// as soon as a runner is free: an idle server adds no wait.

// Batching limits. One transaction at a time makes the largest batches, and the fewest
// statements and commits per mutation: measured with 32 writers on 2 cores, one runner
// acknowledged 5.3–6.0k creates/s where two did 4.6–4.9k (docs/performance.md). A second runs
// only when the first falls behind: a batch slow to finish (waiting for a row lock, a slow
// disk) or a queue of a quarter batch more than it can take.
const (
	maxBatch     = 256 // mutations in one transaction
	batchRunners = 2   // transactions in flight at once, at most
	slowBatch    = 20 * time.Millisecond
	batchTimeout = 30 * time.Second
)

type writeKind int

const (
	createWrite writeKind = iota
	putWrite
	removeWrite
)

// write is one mutation, checked as far as it can be without the stored record.
type write struct {
	kind      writeKind
	caller    access.Caller
	c         *schema.Collection
	key       db.RecordKey
	data      json.RawMessage // create, put: as sent
	patch     map[string]any  // put: data decoded
	replace   bool
	ifVersion *int64
	done      chan writeResult // buffered: the batch never waits for its caller
}

type writeResult struct {
	rec db.Record // the record written, or as it was before a remove
	err error
	// again: a put found no record and another transaction created it meanwhile (the other
	// runner's batch): it goes to the next batch, where it updates what now exists.
	again bool
}

// batcher queues writes for at most batchRunners goroutines, which exist only while there is
// work: none is left behind when the server is idle.
type batcher struct {
	run func([]*write) (later []*write)

	mu      sync.Mutex
	pending []*write
	running int
	// began is when the batch of the one running goroutine began (while running is 1).
	began time.Time
}

func (b *batcher) submit(w *write) {
	b.mu.Lock()
	b.pending = append(b.pending, w)
	start := b.running == 0 || b.running < batchRunners &&
		(len(b.pending) >= maxBatch/4 || time.Since(b.began) > slowBatch)
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		go b.loop()
	}
}

func (b *batcher) loop() {
	for {
		b.mu.Lock()
		n := min(len(b.pending), maxBatch)
		if n == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.began = time.Now()
		b.mu.Unlock()
		if later := b.run(batch); len(later) > 0 {
			b.mu.Lock()
			b.pending = append(later, b.pending...)
			b.mu.Unlock()
		}
	}
}

// commit queues w for the next batch and waits for its outcome.
func (s *Service) commit(ctx context.Context, w *write) (db.Record, error) {
	w.done = make(chan writeResult, 1)
	s.batches.submit(w)
	select {
	case r := <-w.done:
		return r.rec, r.err
	case <-ctx.Done():
		return db.Record{}, ctx.Err() // it may still land, as any request cut short mid-write
	}
}

// runBatch writes one batch and hands every write its outcome; writes to a key the batch already
// touches go back to the queue, for the next batch. When the batch's transaction fails as a whole
// (a value Postgres refuses, a lost connection), each write is tried alone, so only the faulty
// one fails.
func (s *Service) runBatch(batch []*write) (later []*write) {
	seen := make(map[db.RecordKey]bool, len(batch))
	now := batch[:0:0]
	for _, w := range batch {
		if seen[w.key] {
			later = append(later, w)
			continue
		}
		seen[w.key] = true
		now = append(now, w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	results, err := s.writeBatch(ctx, now)
	if err != nil && len(now) > 1 {
		for _, w := range now {
			r, err := s.writeBatch(ctx, []*write{w})
			switch {
			case err != nil:
				w.done <- writeResult{err: err}
			case r[0].again:
				later = append(later, w)
			default:
				w.done <- r[0]
			}
		}
		return later
	}
	for i, w := range now {
		switch {
		case err != nil:
			w.done <- writeResult{err: err}
		case results[i].again:
			later = append(later, w)
		default:
			w.done <- results[i]
		}
	}
	return later
}

// writeBatch runs writes (distinct keys) in one transaction and answers each one's outcome; an
// error means nothing was written.
func (s *Service) writeBatch(ctx context.Context, writes []*write) ([]writeResult, error) {
	results := make([]writeResult, len(writes))
	if onlyCreates(writes) {
		// One INSERT, in a transaction of its own: a key that exists comes back without a row.
		var p batchPlan
		for i, w := range writes {
			p.add(i, w, nil, &results[i])
		}
		if err := p.execute(ctx, s.db.Store, writes, results); err != nil {
			return nil, recordErr(err, writes[0].key.Collection, writes[0].key.ID)
		}
		return results, nil
	}
	err := s.db.InTx(ctx, func(tx db.Store) error {
		keys := make([]db.RecordKey, len(writes))
		for i, w := range writes {
			keys[i] = w.key
		}
		locked, err := tx.RecordLockMany(ctx, keys)
		if err != nil {
			return err
		}
		current := make(map[db.RecordKey]*db.Record, len(locked))
		for i := range locked {
			current[locked[i].Key()] = &locked[i]
		}
		var p batchPlan
		for i, w := range writes {
			p.add(i, w, current[w.key], &results[i])
		}
		return p.execute(ctx, tx, writes, results)
	})
	if err != nil {
		return nil, recordErr(err, writes[0].key.Collection, writes[0].key.ID)
	}
	return results, nil
}

func onlyCreates(writes []*write) bool {
	for _, w := range writes {
		if w.kind != createWrite {
			return false
		}
	}
	return true
}

// batchPlan is what a batch's statements will do: the rows to insert, update and delete, each
// with the index of its write.
type batchPlan struct {
	inserts, updates []db.Record
	deletes          []db.RecordKey
	insertOf         []int
	updateOf         []int
	deleteOf         []int
}

// add decides what write i does given the stored record (nil: none); a write that cannot
// happen gets its error in result now.
func (p *batchPlan) add(i int, w *write, current *db.Record, result *writeResult) {
	rec, op, err := w.plan(current)
	switch {
	case err != nil:
		result.err = err
	case op == opInsert:
		p.inserts, p.insertOf = append(p.inserts, rec), append(p.insertOf, i)
	case op == opUpdate:
		p.updates, p.updateOf = append(p.updates, rec), append(p.updateOf, i)
	case op == opDelete:
		p.deletes, p.deleteOf = append(p.deletes, w.key), append(p.deleteOf, i)
	}
}

// execute runs one statement per kind and hands out the rows they return. A create whose key
// another transaction took meanwhile comes back without a row: it conflicts; a put tries again.
func (p *batchPlan) execute(ctx context.Context, tx db.Store, writes []*write, results []writeResult) error {
	type step struct {
		of  []int
		run func() ([]db.Record, error)
	}
	steps := []step{
		{p.insertOf, func() ([]db.Record, error) { return tx.RecordInsertMany(ctx, p.inserts) }},
		{p.updateOf, func() ([]db.Record, error) { return tx.RecordUpdateMany(ctx, p.updates) }},
		{p.deleteOf, func() ([]db.Record, error) { return tx.RecordDeleteMany(ctx, p.deletes) }},
	}
	for _, st := range steps {
		if len(st.of) == 0 {
			continue
		}
		rows, err := st.run()
		if err != nil {
			return err
		}
		byKey := make(map[db.RecordKey]db.Record, len(rows))
		for _, r := range rows {
			byKey[r.Key()] = r
		}
		for _, i := range st.of {
			r, ok := byKey[writes[i].key]
			switch {
			case ok:
				results[i].rec = r
			case writes[i].kind == putWrite:
				results[i].again = true // an upsert: it updates the record the other created
			default:
				results[i].err = recordErr(db.ErrConflict, writes[i].key.Collection, writes[i].key.ID)
			}
		}
	}
	return nil
}

type planOp int

const (
	opInsert planOp = iota + 1
	opUpdate
	opDelete
)

// plan decides the write against the stored record (nil: none), applying the rules of
// PROTOCOL.md §2 and §3 that need it.
func (w *write) plan(current *db.Record) (db.Record, planOp, error) {
	newRec := db.Record{Room: w.key.Room, Collection: w.key.Collection, ID: w.key.ID, UserID: w.caller.UserID, Data: w.data}
	switch {
	case w.kind == createWrite && current != nil:
		return db.Record{}, 0, recordErr(db.ErrConflict, w.key.Collection, w.key.ID)
	case w.kind == createWrite:
		return newRec, opInsert, nil
	case w.kind == removeWrite && current == nil:
		return db.Record{}, 0, recordErr(db.ErrNotFound, w.key.Collection, w.key.ID)
	case w.kind == removeWrite:
		return *current, opDelete, mayChange(w.caller, w.c, *current, w.ifVersion, w.kind)
	case current == nil: // put of a missing record: a create
		if w.ifVersion != nil && *w.ifVersion != 0 {
			return db.Record{}, 0, protocol.New(protocol.Conflict, "record %q does not exist (ifVersion %d)", protocol.Clip(w.key.ID), *w.ifVersion)
		}
		if err := mayCreate(w.caller, w.c); err != nil {
			return db.Record{}, 0, err
		}
		return newRec, opInsert, validate(w.c, w.patch)
	}
	if err := mayChange(w.caller, w.c, *current, w.ifVersion, w.kind); err != nil {
		return db.Record{}, 0, err
	}
	merged, err := w.merge(*current)
	if err != nil {
		return db.Record{}, 0, err
	}
	if err := validate(w.c, merged); err != nil {
		return db.Record{}, 0, err
	}
	stored, err := json.Marshal(merged)
	if err != nil {
		return db.Record{}, 0, err
	}
	rec := *current
	rec.Data = stored
	return rec, opUpdate, nil
}

// merge is a put's new data: the patch's top-level fields over the stored ones, or the patch
// alone with replace.
func (w *write) merge(current db.Record) (map[string]any, error) {
	if w.replace {
		return w.patch, nil
	}
	merged, err := decodeObject(current.Data)
	if err != nil {
		return nil, err
	}
	for k, v := range w.patch {
		merged[k] = v
	}
	return merged, nil
}
