package live_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/live"
)

// sub is a test subscriber.
type sub int

// client is what one subscriber holds, as a client would: its snapshot, then every delta.
type client struct {
	ready bool
	held  map[string]*live.Row
}

// sink records deliveries per subscriber and the protocol rules they break.
type sink struct {
	mu         sync.Mutex
	clients    map[sub]*client
	changes    int // Changes calls
	violations []string
}

var _ live.Sink[sub] = (*sink)(nil)

func newSink() *sink { return &sink{clients: map[sub]*client{}} }

func (k *sink) Snapshot(s sub, rows []*live.Row) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := &client{ready: true, held: map[string]*live.Row{}}
	for _, r := range rows {
		c.held[r.Doc.ID] = r
	}
	k.clients[s] = c
}

func (k *sink) Changes(subs []sub, d live.Delta) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.changes++
	for _, s := range subs {
		c := k.clients[s]
		if c == nil || !c.ready {
			k.violations = append(k.violations, fmt.Sprintf("sub %d: changes before its snapshot", s))
			continue
		}
		for _, r := range d.Upserts {
			if old, ok := c.held[r.Doc.ID]; ok && !r.Stamp().NewerThan(old.Stamp()) {
				k.violations = append(k.violations, fmt.Sprintf("sub %d: %s v%d after v%d", s, r.Doc.ID, r.Version, old.Version))
			}
			c.held[r.Doc.ID] = r
		}
		for _, id := range d.Removes {
			if _, ok := c.held[id]; !ok {
				k.violations = append(k.violations, fmt.Sprintf("sub %d: remove of %s, not held", s, id))
			}
			delete(c.held, id)
		}
	}
}

// ids lists what s holds, in q's order.
func (k *sink) ids(s sub, q live.Query) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.clients[s]
	if c == nil {
		return nil
	}
	rows := make([]*live.Row, 0, len(c.held))
	for _, r := range c.held {
		rows = append(rows, r)
	}
	return sortedIDs(q, rows)
}

func (k *sink) requireNoViolations(t *testing.T) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	require.Empty(t, k.violations)
}

func sortedIDs(q live.Query, rows []*live.Row) []string {
	slices.SortFunc(rows, func(a, b *live.Row) int { return q.Order.Compare(a.Doc, b.Doc) })
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Doc.ID
	}
	return out
}

// store is the database as the tests see it: the current row of every record.
type store struct {
	rows  map[string]*live.Row
	clock time.Time
}

func newStore() *store {
	return &store{rows: map[string]*live.Row{}, clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// write stores data under id (a new version, or a new record) and returns the row.
func (st *store) write(id, user string, data map[string]any) *live.Row {
	st.clock = st.clock.Add(time.Millisecond)
	r := &live.Row{Doc: filter.Doc{ID: id, UserID: user, CreatedAt: st.clock, UpdatedAt: st.clock, Data: data}, Version: 1}
	if old, ok := st.rows[id]; ok {
		r.Doc.CreatedAt, r.Doc.UserID, r.Version = old.Doc.CreatedAt, old.Doc.UserID, old.Version+1
	}
	r.Body, _ = json.Marshal(data)
	st.rows[id] = r
	return r
}

// remove deletes id and returns the change that says so, with the version removed.
func (st *store) remove(id string) live.Change {
	old := st.rows[id]
	delete(st.rows, id)
	c := live.Change{ID: id}
	if old != nil {
		s := old.Stamp()
		c.Removed = &s
	}
	return c
}

// change is id's current state.
func (st *store) change(id string) live.Change {
	return live.Change{ID: id, Row: st.rows[id]}
}

// result is q's fresh evaluation over the whole store: match, sort, cut at n.
func (st *store) result(q live.Query, n int) (rows []*live.Row, complete bool) {
	for _, r := range st.rows {
		if q.Matches(r.Doc) {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b *live.Row) int { return q.Order.Compare(a.Doc, b.Doc) })
	if len(rows) > n {
		return rows[:n], false
	}
	return rows, true
}

// ids is q's fresh visible result.
func (st *store) ids(q live.Query) []string {
	rows, _ := st.result(q, q.Limit)
	return sortedIDs(q, rows)
}

// runReads runs reads against the store now, and whatever reads they lead to.
func runReads(e *live.Engine[sub], st *store, reads []*live.Read[sub]) {
	for len(reads) > 0 {
		rd := reads[0]
		reads = reads[1:]
		rows, complete := st.result(rd.Query, rd.Limit)
		reads = append(reads, e.Install(rd, rows, complete)...)
	}
}

// deliver applies changes as the fan-out does: a fetch of the changed ids, now.
func deliver(t *testing.T, e *live.Engine[sub], st *store, room, collection string, ids ...string) {
	t.Helper()
	rd := e.BeginChanges(room, collection)
	if rd == nil {
		return
	}
	var changes []live.Change
	for _, id := range ids {
		changes = append(changes, st.change(id))
	}
	applied, refills := e.ApplyChanges(rd, changes)
	require.True(t, applied)
	runReads(e, st, refills)
}

func mustQuery(t *testing.T, where, orderBy string, limit int, scope live.Scope) live.Query {
	t.Helper()
	w, err := filter.Parse([]byte(where))
	require.NoError(t, err)
	o, err := filter.ParseOrder([]byte(orderBy))
	require.NoError(t, err)
	return live.NewQuery("tasks", w, o, limit, scope, nil)
}

// join subscribes s and runs its load, if it needs one.
func join(e *live.Engine[sub], st *store, q live.Query, s sub) {
	if rd := e.Join("r", q, s); rd != nil {
		runReads(e, st, []*live.Read[sub]{rd})
	}
}
