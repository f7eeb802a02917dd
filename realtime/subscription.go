package realtime

import (
	"encoding/json"
	"slices"

	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/live"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// subscription is one live query of a session: what it asks for and what its client holds.
type subscription struct {
	id         string
	collection string
	session    *session
	limit      int
	request    records.Query // as asked, to prepare again when the caller's role changes
	// Record collections: the prepared query, and the shared query of the live engine that
	// holds the subscription's result (joined: the engine delivers to this subscription).
	query  *records.Prepared
	live   live.Query
	joined bool
	// held, while a subscription joins another shared query (the caller's scope changed), is
	// what its client holds: the new query's snapshot is sent as the difference.
	held   map[string]live.Stamp
	system *systemQuery // $users, $teams, $teamMembers
	// sent is what the client of a system subscription holds: every id in its result, with the
	// stamp of the version sent.
	sent map[string]stamp
}

// stamp identifies one version of a system item: its rendering (system items carry no version).
type stamp struct {
	raw string
}

func (s stamp) newerThan(o stamp) bool { return s.raw != o.raw }

// item is one entry of a system subscription's result, ready to send.
type item struct {
	id    string
	stamp stamp
	body  any
}

// delta is what a subscription's client must be told.
type delta struct {
	upserts []any
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

// addSubLocked adds a subscription to the session. s.mu is held.
func (s *session) addSubLocked(sub *subscription) {
	s.subs[sub.id] = sub
	s.hub.metrics.subscriptions.Inc()
}

// endSub ends one subscription the server can no longer keep: its client gets the error, with
// the sub id, and nothing more for it (as for a collection the caller may no longer read).
func (s *session) endSub(sub *subscription, e *protocol.Error) {
	s.mu.Lock()
	current := s.subs[sub.id] == sub
	if current {
		s.dropSubLocked(sub.id)
	}
	s.mu.Unlock()
	if current {
		s.sendError(protocol.ErrorMessage{Sub: sub.id, Code: e.Code, Message: e.Message, Details: e.Details})
	}
}

// dropSubLocked removes a subscription, if there is one by that id, and leaves its shared
// query: nothing more is delivered to it. s.mu is held.
func (s *session) dropSubLocked(id string) {
	sub, ok := s.subs[id]
	if !ok {
		return
	}
	delete(s.subs, id)
	if sub.joined {
		s.hub.live.Leave(s.room, sub.live, sub)
		sub.joined = false
	}
	s.hub.metrics.subscriptions.Dec()
}
