package live_test

// A model test of the engine: random writes, removals, subscriptions and departures, with the
// database work it asks for run late and interleaved with everything else (as it is outside
// the engine's locks), lost notifications and resets. At checkpoints every subscription must
// hold exactly what a fresh evaluation of the whole collection gives (filter.Where match,
// filter.Order sort, limit), and no subscriber may ever see a version older than one it holds.
//
// RECORDROOM_LIVE_SEED (or -live.seed) reproduces a run; RECORDROOM_LIVE_OPS (or -live.ops)
// sets its operations (default 6000).

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/live"
)

var (
	seedFlag = flag.Int64("live.seed", 0, "seed of the live model test (0: from the clock)")
	opsFlag  = flag.Int("live.ops", 0, "operations of the live model test (0: 6000)")
)

func envOr(name string, flagValue, fallback int64) int64 {
	if flagValue != 0 {
		return flagValue
	}
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return fallback
}

var (
	modelWheres = []string{``, `{"c":"red"}`, `{"c":{"$in":["red","blue"]}}`, `{"n":{"$gte":5}}`,
		`{"$or":[{"c":"green"},{"n":0}]}`, `{"c":{"$ne":"red"}}`, `{"c":"blue","n":{"$lt":7}}`}
	modelOrders = []string{``, `[{"field":"n","dir":"desc"}]`, `[{"field":"c"}]`, `[{"field":"c"},{"field":"n","dir":"desc"}]`,
		`[{"field":"createdAt","dir":"desc"}]`, `[{"field":"updatedAt","dir":"desc"}]`, `[{"field":"c","dir":"desc"}]`}
	modelLimits = []int{1, 2, 3, 5, 5, 8, 40}
	modelScopes = []live.Scope{{}, {}, {}, {OwnerOnly: true, Owner: "alice"}, {OwnerOnly: true, Owner: "bob"}}
)

// model is the world around the engine: the store, the notifications not yet delivered, the
// fetch and the reads in flight.
type model struct {
	t       *testing.T
	rng     *rand.Rand
	e       *live.Engine[sub]
	k       *sink
	st      *store
	notes   []string // ids whose changes are committed, not yet delivered
	fetch   *inflightFetch
	toRun   []*live.Read[sub] // reads whose SQL has not run
	ran     []ranRead         // reads whose SQL ran, not yet installed
	subs    map[sub]live.Query
	nextSub sub
	counts  map[string]int
}

type inflightFetch struct {
	rd       *live.Read[sub]
	ids      []string
	changes  []live.Change
	attempts int
}

type ranRead struct {
	rd       *live.Read[sub]
	rows     []*live.Row
	complete bool
}

func TestModelWindowsMatchAFreshEvaluation(t *testing.T) {
	t.Parallel()
	seed := envOr("RECORDROOM_LIVE_SEED", *seedFlag, time.Now().UnixNano())
	ops := int(envOr("RECORDROOM_LIVE_OPS", int64(*opsFlag), 6000))
	t.Logf("seed %d (RECORDROOM_LIVE_SEED=%d reproduces it), %d operations", seed, seed, ops)
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	k := newSink()
	opts := live.Options{MaxMargin: 1 + rng.IntN(3)}
	if rng.IntN(3) == 0 {
		opts.MaxJournal = 5 + rng.IntN(20) // overflows: stale reads run again
	}
	m := &model{t: t, rng: rng, e: live.New[sub](k, opts), k: k, st: newStore(), subs: map[sub]live.Query{}, counts: map[string]int{}}
	for range 10 {
		m.join()
	}
	for i := range ops {
		m.step()
		if i%500 == 499 {
			m.checkpoint()
		}
	}
	m.checkpoint()
	t.Logf("%v; engine %+v", m.counts, m.e.Stats())
	for s, q := range m.subs {
		m.e.Leave("r", q, s)
	}
	m.settle()
	require.Zero(t, m.e.Stats().Queries)
	require.Zero(t, m.e.Stats().Entries)
	require.Zero(t, m.e.Stats().Subscribers)
}

func (m *model) step() {
	switch p := m.rng.IntN(100); {
	case p < 30:
		m.write()
	case p < 42:
		m.remove()
	case p < 62:
		m.fanOut()
	case p < 67:
		m.join()
	case p < 70:
		m.leave()
	case p < 82:
		m.runSQL()
	case p < 97:
		m.install()
	case p < 98:
		m.counts["lost notifications"]++
		m.notes = nil
		m.toRun = append(m.toRun, m.e.ResetAll()...)
	default:
		m.counts["checkpoint"]++
		m.checkpoint()
	}
}

func (m *model) id() string { return "r" + strconv.Itoa(m.rng.IntN(30)) }

func (m *model) write() {
	id := m.id()
	data := map[string]any{"c": []string{"red", "green", "blue"}[m.rng.IntN(3)], "n": m.rng.IntN(10)}
	if m.rng.IntN(4) == 0 {
		delete(data, "n")
	}
	row := m.st.write(id, []string{"alice", "bob"}[m.rng.IntN(2)], data)
	m.notes = append(m.notes, id)
	m.counts["write"]++
	if m.rng.IntN(2) == 0 { // this replica's own write: applied before its ack
		m.toRun = append(m.toRun, m.e.ApplyOwn("r", "tasks", own(live.Change{ID: id, Row: row}))...)
	}
}

func (m *model) remove() {
	id := m.id()
	if m.st.rows[id] == nil {
		return
	}
	ch := m.st.remove(id)
	m.notes = append(m.notes, id)
	m.counts["remove"]++
	if m.rng.IntN(2) == 0 {
		m.toRun = append(m.toRun, m.e.ApplyOwn("r", "tasks", own(ch))...)
	}
}

// fanOut starts a fetch of the notified changes, or hands the one in flight back.
func (m *model) fanOut() {
	f := m.fetch
	if f == nil {
		if len(m.notes) == 0 {
			return
		}
		n := 1 + m.rng.IntN(len(m.notes))
		ids := slices.Compact(slices.Sorted(slices.Values(m.notes[:n])))
		m.notes = m.notes[n:]
		rd := m.e.BeginChanges("r", "tasks")
		if rd == nil {
			return // nothing watches the collection
		}
		m.fetch = &inflightFetch{rd: rd, ids: ids, changes: m.fetchNow(ids)}
		return
	}
	if f.attempts >= 3 {
		f.rd.Insist()
	}
	applied, refills := m.e.ApplyChanges(f.rd, f.changes)
	m.toRun = append(m.toRun, refills...)
	m.fetch = nil
	if !applied {
		m.counts["fetch again"]++
		if rd := m.e.BeginChanges("r", "tasks"); rd != nil {
			m.fetch = &inflightFetch{rd: rd, ids: f.ids, changes: m.fetchNow(f.ids), attempts: f.attempts + 1}
		}
	}
}

func (m *model) fetchNow(ids []string) []live.Change {
	var out []live.Change
	for _, id := range ids {
		ch := m.st.change(id) // a deleted record's notification carries no version
		out = append(out, ch)
	}
	return out
}

func (m *model) join() {
	q := mustQuery(m.t, modelWheres[m.rng.IntN(len(modelWheres))], modelOrders[m.rng.IntN(len(modelOrders))],
		modelLimits[m.rng.IntN(len(modelLimits))], modelScopes[m.rng.IntN(len(modelScopes))])
	if m.rng.IntN(3) == 0 && len(m.subs) > 0 { // share a query already held
		q = m.subs[m.someSub()]
	}
	m.nextSub++
	m.subs[m.nextSub] = q
	m.counts["join"]++
	if rd := m.e.Join("r", q, m.nextSub); rd != nil {
		m.toRun = append(m.toRun, rd)
	}
}

func (m *model) leave() {
	if len(m.subs) == 0 {
		return
	}
	s := m.someSub()
	m.e.Leave("r", m.subs[s], s)
	delete(m.subs, s)
	m.counts["leave"]++
}

// someSub picks a subscriber, the same one for the same seed.
func (m *model) someSub() sub {
	subs := slices.Sorted(maps.Keys(m.subs))
	return subs[m.rng.IntN(len(subs))]
}

// runSQL runs one pending read's SQL against the store as it is now.
func (m *model) runSQL() {
	if len(m.toRun) == 0 {
		return
	}
	i := m.rng.IntN(len(m.toRun))
	rd := m.toRun[i]
	m.toRun = slices.Delete(m.toRun, i, i+1)
	if m.rng.IntN(20) == 0 {
		m.counts["read failed"]++
		m.abort(rd)
		return
	}
	rows, complete := m.st.result(rd.Query, rd.Limit)
	m.ran = append(m.ran, ranRead{rd, rows, complete})
}

// abort hands back a failed read; a load's subscriber has failed to subscribe, and the
// subscribers of a query that could not be refilled are closed (their clients reconnect).
func (m *model) abort(rd *live.Read[sub]) {
	isLoad := rd.IsLoad()
	for _, s := range m.e.Abort(rd) {
		m.e.Leave("r", m.subs[s], s)
		delete(m.subs, s)
	}
	if isLoad {
		for _, s := range slices.Sorted(maps.Keys(m.subs)) {
			if q := m.subs[s]; q.Key() == rd.Query.Key() && m.k.clients[s] == nil {
				// Any of the query's pending subscribers may be this one: a test cannot tell
				// which, so all of them leave, as a failed subscriber's session would retry.
				m.e.Leave("r", q, s)
				delete(m.subs, s)
			}
		}
	}
}

func (m *model) install() {
	if len(m.ran) == 0 {
		return
	}
	i := m.rng.IntN(len(m.ran))
	r := m.ran[i]
	m.ran = slices.Delete(m.ran, i, i+1)
	m.toRun = append(m.toRun, m.e.Install(r.rd, r.rows, r.complete)...)
}

// settle delivers every notification and runs every read.
func (m *model) settle() {
	for range 10000 {
		switch {
		case m.fetch != nil || len(m.notes) > 0:
			m.fanOut()
		case len(m.toRun) > 0:
			m.runSQL()
		case len(m.ran) > 0:
			m.install()
		default:
			return
		}
	}
	m.t.Fatal("the model does not settle")
}

// checkpoint settles and compares every subscription with a fresh evaluation.
func (m *model) checkpoint() {
	m.t.Helper()
	m.settle()
	m.k.requireNoViolations(m.t)
	for _, s := range slices.Sorted(maps.Keys(m.subs)) {
		q := m.subs[s]
		require.NotNil(m.t, m.k.clients[s], "sub %d has no snapshot", s)
		want := m.st.ids(q)
		require.Equal(m.t, want, m.k.ids(s, q), "sub %d: %s", s, describe(q))
		for _, id := range want {
			require.Equal(m.t, m.st.rows[id].Version, m.k.clients[s].held[id].Version, "sub %d: %s's version", s, id)
		}
	}
	var bound int64
	for range m.subs {
		bound += 80 // limit 40 + margin at most 40
	}
	require.LessOrEqual(m.t, m.e.Stats().Entries, bound)
}

func describe(q live.Query) string {
	return fmt.Sprintf("%s limit %d scope %+v", q.Key(), q.Limit, q.Scope)
}
