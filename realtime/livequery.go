package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/live"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// liveSink delivers the live engine's decisions to sessions. It runs under the engine's room
// lock: it only queues (enqueue never blocks; a full queue closes that one session).
type liveSink struct{}

var _ live.Sink[*subscription] = liveSink{}

// Snapshot sends a new subscriber its snapshot, or, when it moved from another shared query
// (sub.held is set; the caller holds the session's lock), the difference.
func (liveSink) Snapshot(sub *subscription, rows []*live.Row) {
	if sub.held != nil {
		d := live.Diff(sub.held, rows)
		sub.held = nil
		if !d.Empty() {
			sub.session.enqueue(outFrame{data: changesMessage(sub.id, changesTail(d))})
		}
		return
	}
	body := make([]any, len(rows))
	for i, r := range rows {
		body[i] = r.Body
	}
	sub.session.sendJSON(protocol.Snapshot{Type: protocol.TypeSnapshot, Sub: sub.id, Records: body})
}

// Changes encodes a shared query's delta once and sends it to every subscriber, each message
// differing only in its sub id.
func (liveSink) Changes(subs []*subscription, d live.Delta) {
	tail := changesTail(d)
	for _, sub := range subs {
		sub.session.enqueue(outFrame{data: changesMessage(sub.id, tail)})
	}
}

// changesTail is the part of a changes message after its sub id, for a shared query's delta:
// record bodies are JSON already, encoded once per version for every query and subscriber.
func changesTail(d live.Delta) []byte {
	return writeTail(d.Upserts, func(r *live.Row) []byte { return r.Body }, d.Removes)
}

// writeTail writes `,"upserts":[…],"removes":[…]}` by hand: bodies that are JSON already are
// neither checked nor copied again, as encoding/json would.
func writeTail[T any](upserts []T, body func(T) []byte, removes []string) []byte {
	var b bytes.Buffer
	b.WriteString(`,"upserts":[`)
	for i, u := range upserts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(body(u))
	}
	if removes == nil {
		removes = []string{}
	}
	removesJSON, _ := json.Marshal(removes) // strings: cannot fail
	b.WriteString(`],"removes":`)
	b.Write(removesJSON)
	b.WriteByte('}')
	return b.Bytes()
}

// changesMessage is a changes message for sub with its tail (changesTail, writeTail).
func changesMessage(sub string, tail []byte) []byte {
	subJSON, _ := json.Marshal(sub) // a string: cannot fail
	msg := make([]byte, 0, len(`{"type":"changes","sub":`)+len(subJSON)+len(tail))
	msg = append(msg, `{"type":"changes","sub":`...)
	msg = append(msg, subJSON...)
	return append(msg, tail...)
}

// liveQuery is the shared query of a prepared record query: equal for every caller who reads
// the same records (the owner scope is part of it).
func liveQuery(p *records.Prepared) live.Query {
	scope := live.Scope{OwnerOnly: p.OwnerScoped, Owner: p.Owner}
	return live.NewQuery(p.Collection, p.Where, p.Order, p.Limit, scope, p)
}

// rowOf is a stored record as the engine holds it, its wire body encoded once.
func rowOf(r db.Record) *live.Row {
	body, _ := json.Marshal(records.FromDB(r)) // records are JSON already: cannot fail
	return &live.Row{Doc: records.Doc(r), Version: r.Version, Body: body}
}

// joinLocked joins sub to its prepared query's shared query; a query not in memory yet is
// loaded by SQL here, outside every lock but the session's own. s.mu is held.
func (s *session) joinLocked(ctx context.Context, sub *subscription) error {
	sub.live = liveQuery(sub.query)
	sub.joined = true
	rd := s.hub.live.Join(s.room, sub.live, sub)
	if rd == nil {
		return nil
	}
	if err := s.hub.runReads(ctx, rd); err != nil {
		sub.joined, sub.held = false, nil // the engine let it go
		return err
	}
	return nil
}

// rejoinLocked moves sub to the shared query of its prepared query, if that changed (a new
// role or schema changes the owner scope or the limit), sending its client the difference.
// s.mu is held.
func (s *session) rejoinLocked(ctx context.Context, sub *subscription) error {
	if sub.joined && liveQuery(sub.query).Key() == sub.live.Key() {
		return nil
	}
	held := map[string]live.Stamp{}
	if sub.joined {
		for _, r := range s.hub.live.Visible(s.room, sub.live, sub) {
			held[r.Doc.ID] = r.Stamp()
		}
		s.hub.live.Leave(s.room, sub.live, sub)
		sub.joined = false
	}
	sub.held = held
	return s.joinLocked(ctx, sub)
}

// maxReads bounds the database reads one call runs for the engine (a load or refill, retries
// of reads that went stale, the refills they lead to): past it, the rest fail.
const maxReads = 64

// runReads runs the engine's reads with no lock held that another session waits on: one SQL
// query per refill of a shared query, whatever its subscribers (a load runs per joining
// subscriber while its query is not in memory yet). The error is a failed load's (the
// subscription cannot start); subscribers of a query whose refill was refused (`limit`) end
// with that error; those of one that failed otherwise are closed, as a session whose
// subscription could not be re-run always was: their clients reconnect and get fresh snapshots
// rather than a result that silently went stale.
func (h *Hub) runReads(ctx context.Context, reads ...*live.Read[*subscription]) error {
	var loadErr error
	for n := 0; len(reads) > 0; n++ {
		rd := reads[0]
		reads = reads[1:]
		rows, complete, err := h.runQuery(ctx, rd, n)
		if err != nil {
			if rd.IsLoad() {
				loadErr = err
			}
			refused := protocol.ErrorOf(err)
			for _, sub := range h.live.Abort(rd) {
				if refused.Code == protocol.Limit {
					// The query grew past the cost limit: it ends as its subscribe would now be
					// answered. Another session's lock may not be taken here (the caller may hold
					// one), so that session ends its subscription itself.
					go sub.session.endSub(sub, refused)
					continue
				}
				h.cfg.Logger.Error("refill live query; closing", "room", sub.session.room, "sub", sub.id, "err", err)
				sub.session.close(protocol.CloseInternal, "internal error: reconnect")
			}
			continue
		}
		reads = append(reads, h.live.Install(rd, rows, complete)...)
	}
	return loadErr
}

// runQuery runs a read's SQL: its query's first rd.Limit records (limit plus margin).
func (h *Hub) runQuery(ctx context.Context, rd *live.Read[*subscription], n int) ([]*live.Row, bool, error) {
	if n >= maxReads {
		return nil, false, fmt.Errorf("more than %d reads for one change", maxReads)
	}
	p := *rd.Query.Source.(*records.Prepared)
	p.Limit = rd.Limit
	page, err := h.cfg.Records.Run(ctx, &p)
	if err != nil {
		return nil, false, err
	}
	rows := make([]*live.Row, len(page.Records))
	for i, r := range page.Records {
		rows[i] = rowOf(records.ToDB(r, p.Room))
	}
	return rows, page.Next == "", nil
}
