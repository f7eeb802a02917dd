package realtime

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// subscription is one live query of a session: what it asks for and what its client holds.
type subscription struct {
	id         string
	collection string
	limit      int
	request    records.Query     // as asked, to prepare again when the caller's role changes
	query      *records.Prepared // record collections
	system     *systemQuery      // $users, $teams, $teamMembers
	// sent is what the client holds: every id in its result, with the stamp of the version sent.
	sent map[string]stamp
}

// stamp identifies one version of an item. A record recreated under a removed one's id has a
// later createdAt, so (created, version) only grows; system items carry their rendering.
type stamp struct {
	created time.Time
	version int64
	raw     string
}

func (s stamp) newerThan(o stamp) bool {
	if s.raw != "" || o.raw != "" {
		return s.raw != o.raw
	}
	return s.created.After(o.created) || (s.created.Equal(o.created) && s.version > o.version)
}

// item is one entry of a subscription's result, ready to send.
type item struct {
	id    string
	stamp stamp
	body  any
}

func recordItem(r records.Record) item {
	return item{id: r.ID, stamp: stamp{created: r.CreatedAt.Time, version: r.Version}, body: r}
}

// delta is what a subscription's client must be told.
type delta struct {
	upserts []any
	ids     []string // of the upserts, when they come from one change set (see memo)
	removes []string
}

func (d delta) empty() bool { return len(d.upserts) == 0 && len(d.removes) == 0 }

// reset makes items the subscription's whole result: new or newer items are upserts, held ids
// missing from items are removes. An item no newer than what the client holds is not sent again.
func (s *subscription) reset(items []item) delta {
	var d delta
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		seen[it.id] = true
		held, ok := s.sent[it.id]
		if ok && !it.stamp.newerThan(held) {
			continue
		}
		s.sent[it.id] = it.stamp
		d.upserts = append(d.upserts, it.body)
	}
	for id := range s.sent {
		if !seen[id] {
			delete(s.sent, id)
			d.removes = append(d.removes, id)
		}
	}
	return d
}

// changeSet is the changed records of one collection, each encoded once for every subscriber
// that receives it.
type changeSet struct {
	// memo holds the changes messages already encoded for this change set: subscribers with
	// the same subscription (the same sub id and result, as with many clients of one widget)
	// share one encoding.
	memo    map[string][]byte
	items   map[string]item       // current rows, by id
	docs    map[string]filter.Doc // the same rows as filters see them, decoded once
	rows    []db.Record
	deleted []string // ids no longer in the table
	// removed holds the last version of deleted records where it is known (a session's own
	// remove): a client holding a newer one (recreated meanwhile) keeps it.
	removed map[string]stamp
}

func newChangeSet(rows []db.Record, deleted []string) changeSet {
	b := changeSet{items: make(map[string]item, len(rows)), rows: rows, deleted: deleted, removed: map[string]stamp{},
		memo: map[string][]byte{}, docs: make(map[string]filter.Doc, len(rows))}
	for _, r := range rows {
		b.docs[r.ID] = records.Doc(r)
		rec := records.FromDB(r)
		body, err := json.Marshal(rec)
		if err != nil {
			continue // cannot happen: records are JSON already
		}
		it := recordItem(rec)
		it.body = json.RawMessage(body)
		b.items[r.ID] = it
	}
	return b
}

// applyRecords updates the subscription for a change set without a query, where memory
// can decide. It reports full when it cannot: a limit window that was full, or would overflow,
// needs its query run again.
func (s *subscription) applyRecords(b changeSet) (d delta, full bool) {
	type decision struct {
		id  string
		add *item // nil: remove
	}
	var decisions []decision
	size := len(s.sent)
	for _, r := range b.rows {
		heldStamp, held := s.sent[r.ID]
		it, ok := b.items[r.ID]
		if ok && s.query.Visible(b.docs[r.ID]) {
			decisions = append(decisions, decision{id: r.ID, add: &it})
			if !held {
				size++
			}
		} else if held && !heldStamp.newerThan(it.stamp) {
			// Leaves the result, unless the client already holds a newer version (this row
			// is a session's own write that another write overtook).
			decisions = append(decisions, decision{id: r.ID})
			size--
		}
	}
	for _, id := range b.deleted {
		heldStamp, held := s.sent[id]
		if last, known := b.removed[id]; held && known && heldStamp.newerThan(last) {
			continue
		}
		if held {
			decisions = append(decisions, decision{id: id})
			size--
		}
	}
	if len(decisions) == 0 {
		return delta{}, false
	}
	if len(s.sent) >= s.limit || size > s.limit {
		return delta{}, true
	}
	for _, dec := range decisions {
		if dec.add == nil {
			delete(s.sent, dec.id)
			d.removes = append(d.removes, dec.id)
			continue
		}
		held, ok := s.sent[dec.id]
		if ok && !dec.add.stamp.newerThan(held) {
			continue
		}
		s.sent[dec.id] = dec.add.stamp
		d.upserts = append(d.upserts, dec.add.body)
		d.ids = append(d.ids, dec.id)
	}
	return d, false
}

// systemQuery is a subscription to a system collection: the room's users, teams or team
// members, filtered, ordered and cut in memory (these lists are small).
type systemQuery struct {
	where *filter.Where
	order filter.Order
}

func (q *systemQuery) items(all []protocol.SystemItem, limit int) []item {
	type entry struct {
		doc  filter.Doc
		item protocol.SystemItem
	}
	var matched []entry
	for _, it := range all {
		var data map[string]any
		_ = json.Unmarshal(it.Data, &data) // cannot fail: systemRows encoded it
		doc := filter.Doc{ID: it.ID, Data: data}
		if q.where.Match(doc) {
			matched = append(matched, entry{doc, it})
		}
	}
	slices.SortStableFunc(matched, func(a, b entry) int { return q.order.Compare(a.doc, b.doc) })
	if len(matched) > limit {
		matched = matched[:limit]
	}
	out := make([]item, len(matched))
	for i, e := range matched {
		raw, _ := json.Marshal(e.item)
		out[i] = item{id: e.item.ID, stamp: stamp{raw: string(raw)}, body: json.RawMessage(raw)}
	}
	return out
}

// addSubLocked adds a subscription to the session and to the hub's index. s.mu is held.
func (s *session) addSubLocked(sub *subscription) {
	s.subs[sub.id] = sub
	s.hub.watch(s, sub.collection, 1)
	s.hub.metrics.subscriptions.Inc()
}

// dropSubLocked removes a subscription, if there is one by that id. s.mu is held.
func (s *session) dropSubLocked(id string) {
	sub, ok := s.subs[id]
	if !ok {
		return
	}
	delete(s.subs, id)
	s.hub.watch(s, sub.collection, -1)
	s.hub.metrics.subscriptions.Dec()
}
