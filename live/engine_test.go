package live_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/live"
)

// ten stores records n0…n9 with n = 0…9.
func ten(st *store) {
	for i := range 10 {
		st.write(fmt.Sprintf("n%d", i), "alice", map[string]any{"n": i})
	}
}

func TestFullWindowEntersMovesAndLeavesInMemory(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{MaxMargin: 2})
	ten(st)
	q := mustQuery(t, `{}`, `[{"field":"n"}]`, 3, live.Scope{})
	join(e, st, q, 1)
	require.Equal(t, []string{"n0", "n1", "n2"}, k.ids(1, q))
	loads := e.Stats().Loads

	st.write("a", "alice", map[string]any{"n": -1}) // enters at the top, pushes n2 out
	deliver(t, e, st, "r", "tasks", "a")
	require.Equal(t, []string{"a", "n0", "n1"}, k.ids(1, q))

	st.write("n1", "alice", map[string]any{"n": 8}) // moves past the edge: leaves
	deliver(t, e, st, "r", "tasks", "n1")
	require.Equal(t, []string{"a", "n0", "n2"}, k.ids(1, q), "n2 comes back from the margin")

	st.write("n0", "alice", map[string]any{"n": 1.5}) // moves within the window
	deliver(t, e, st, "r", "tasks", "n0")
	require.Equal(t, []string{"a", "n0", "n2"}, k.ids(1, q))

	deliver(t, e, st, "r", "tasks", st.remove("a").ID)
	require.Equal(t, []string{"n0", "n2", "n3"}, k.ids(1, q), "n3 comes from the margin")
	require.Equal(t, loads, e.Stats().Loads, "no SQL while the margin lasts")
	require.Zero(t, e.Stats().Refills)
	k.requireNoViolations(t)
}

func TestSpentMarginNeedsARefill(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{MaxMargin: 1})
	ten(st)
	q := mustQuery(t, `{}`, `[{"field":"n"}]`, 2, live.Scope{})
	join(e, st, q, 1) // holds n0 n1 | n2

	rd := e.BeginChanges("r", "tasks")
	applied, refills := e.ApplyChanges(rd, []live.Change{st.remove("n0")})
	require.True(t, applied)
	require.Empty(t, refills, "n2 replaces n0 from the margin")
	require.Equal(t, []string{"n1", "n2"}, k.ids(1, q))

	rd = e.BeginChanges("r", "tasks")
	applied, refills = e.ApplyChanges(rd, []live.Change{st.remove("n1")})
	require.True(t, applied)
	require.Len(t, refills, 1, "the margin is spent and more records exist")
	require.Equal(t, 2+1, refills[0].Limit, "limit plus margin")
	require.Equal(t, []string{"n2"}, k.ids(1, q))
	runReads(e, st, refills)
	require.Equal(t, []string{"n2", "n3"}, k.ids(1, q))
	require.Equal(t, uint64(1), e.Stats().Refills)

	// A window holding the whole result never needs SQL.
	for i := 2; i < 10; i++ {
		deliver(t, e, st, "r", "tasks", st.remove(fmt.Sprintf("n%d", i)).ID)
	}
	require.Empty(t, k.ids(1, q))
	k.requireNoViolations(t)
}

func TestTiesBreakByIDAndDescendingOrders(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{MaxMargin: 2})
	for _, id := range []string{"d", "b", "e", "a", "c"} {
		st.write(id, "alice", map[string]any{"c": "same"})
	}
	asc := mustQuery(t, `{}`, `[{"field":"c"}]`, 3, live.Scope{})
	desc := mustQuery(t, `{}`, `[{"field":"c","dir":"desc"},{"field":"id","dir":"desc"}]`, 3, live.Scope{})
	newest := mustQuery(t, `{}`, `[{"field":"createdAt","dir":"desc"}]`, 2, live.Scope{})
	join(e, st, asc, 1)
	join(e, st, desc, 2)
	join(e, st, newest, 3)
	require.Equal(t, []string{"a", "b", "c"}, k.ids(1, asc))
	require.Equal(t, []string{"e", "d", "c"}, k.ids(2, desc))
	require.Equal(t, []string{"c", "a"}, k.ids(3, newest))

	st.write("bb", "alice", map[string]any{"c": "same"}) // a tie, placed by its id
	deliver(t, e, st, "r", "tasks", "bb")
	require.Equal(t, []string{"a", "b", "bb"}, k.ids(1, asc))
	require.Equal(t, []string{"e", "d", "c"}, k.ids(2, desc))
	require.Equal(t, []string{"bb", "c"}, k.ids(3, newest))

	deliver(t, e, st, "r", "tasks", st.remove("d").ID)
	require.Equal(t, []string{"e", "c", "bb"}, k.ids(2, desc))
	for _, q := range []struct {
		s sub
		q live.Query
	}{{1, asc}, {2, desc}, {3, newest}} {
		require.Equal(t, st.ids(q.q), k.ids(q.s, q.q))
	}
	k.requireNoViolations(t)
}

func TestEqualQueriesShareOneEvaluation(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{})
	ten(st)
	q := mustQuery(t, `{"n":{"$gte":5}}`, `[{"field":"n","dir":"desc"}]`, 3, live.Scope{})
	same := mustQuery(t, `{ "n" : { "$gte" : 5 } }`, `[{"field":"n","dir":"desc"}]`, 3, live.Scope{})
	require.Equal(t, q.Key(), same.Key(), "spelling does not split a shared query")
	join(e, st, q, 1)
	join(e, st, same, 2)
	require.Equal(t, uint64(1), e.Stats().Loads, "the second subscriber joins from memory")
	require.Equal(t, int64(1), e.Stats().Queries)

	before, calls := e.Stats().Evaluations, k.changes
	st.write("x", "alice", map[string]any{"n": 100})
	deliver(t, e, st, "r", "tasks", "x")
	require.Equal(t, before+1, e.Stats().Evaluations, "one evaluation for both")
	require.Equal(t, calls+1, k.changes, "one delta for both")
	require.Equal(t, []string{"x", "n9", "n8"}, k.ids(1, q))
	require.Equal(t, k.ids(1, q), k.ids(2, same))

	e.Leave("r", q, 1)
	e.Leave("r", same, 2)
	require.Zero(t, e.Stats().Queries)
	require.Zero(t, e.Stats().Entries, "a query without subscribers holds nothing")
	k.requireNoViolations(t)
}

func TestEqualityIndexSkipsQueriesThatCannotMatch(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{})
	var qs []live.Query
	for i := range 50 {
		q := mustQuery(t, fmt.Sprintf(`{"owner":"u%d","done":false}`, i), ``, 10, live.Scope{})
		qs = append(qs, q)
		join(e, st, q, sub(i))
	}
	in := mustQuery(t, `{"owner":{"$in":["u3","u4"]}}`, ``, 10, live.Scope{})
	join(e, st, in, 100)
	scan := mustQuery(t, `{"$or":[{"owner":"u3"},{"owner":"u40"}]}`, ``, 10, live.Scope{})
	join(e, st, scan, 101)

	before := e.Stats().Evaluations
	st.write("t1", "alice", map[string]any{"owner": "u3", "done": false})
	deliver(t, e, st, "r", "tasks", "t1")
	require.Equal(t, before+3, e.Stats().Evaluations, "u3's query, the $in query and the scan list; not the other 49")
	require.Equal(t, []string{"t1"}, k.ids(3, qs[3]))

	// Leaving a query's equality still reaches it: it holds the record.
	before = e.Stats().Evaluations
	st.write("t1", "alice", map[string]any{"owner": "u7", "done": false})
	deliver(t, e, st, "r", "tasks", "t1")
	require.Equal(t, before+4, e.Stats().Evaluations, "the holders u3, $in and scan, and u7's")
	require.Empty(t, k.ids(3, qs[3]))
	require.Equal(t, []string{"t1"}, k.ids(7, qs[7]))
	require.Empty(t, k.ids(100, in))
	k.requireNoViolations(t)
}

func TestOwnerScopeIsPartOfTheQuery(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{})
	st.write("a1", "alice", map[string]any{})
	st.write("b1", "bob", map[string]any{})
	alice := mustQuery(t, ``, ``, 10, live.Scope{OwnerOnly: true, Owner: "alice"})
	bob := mustQuery(t, ``, ``, 10, live.Scope{OwnerOnly: true, Owner: "bob"})
	anon := mustQuery(t, ``, ``, 10, live.Scope{OwnerOnly: true})
	require.NotEqual(t, alice.Key(), bob.Key())
	join(e, st, alice, 1)
	join(e, st, bob, 2)
	join(e, st, anon, 3)
	require.Equal(t, []string{"a1"}, k.ids(1, alice))
	require.Equal(t, []string{"b1"}, k.ids(2, bob))
	require.Empty(t, k.ids(3, anon))
}

// A change applied while a load's SQL runs is not lost, whatever the SQL saw.
func TestChangesDuringALoadAreAppliedOnTop(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{})
	ten(st)
	q := mustQuery(t, `{}`, `[{"field":"n"}]`, 3, live.Scope{})
	other := mustQuery(t, `{}`, ``, 100, live.Scope{}) // keeps the collection watched
	join(e, st, other, 9)

	rd := e.Join("r", q, 1)
	require.NotNil(t, rd)
	rows, complete := st.result(rd.Query, rd.Limit) // the SQL's snapshot
	st.write("n5", "alice", map[string]any{"n": -5})
	deliver(t, e, st, "r", "tasks", "n5") // committed and delivered after the snapshot
	deliver(t, e, st, "r", "tasks", st.remove("n1").ID)
	runReads(e, st, e.Install(rd, rows, complete))
	require.Equal(t, []string{"n5", "n0", "n2"}, k.ids(1, q))
	k.requireNoViolations(t)
}

// A fetch overtaken by this replica's own write keeps the newer version, and a fetch that found
// a record missing that an own write has since written is fetched again.
func TestOwnWritesOvertakingAFetch(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{})
	q := mustQuery(t, `{"c":"red"}`, ``, 10, live.Scope{})
	st.write("x", "alice", map[string]any{"c": "red"})
	join(e, st, q, 1)

	rd := e.BeginChanges("r", "tasks")
	fetched := st.change("x") // v1, red
	require.Empty(t, e.ApplyOwn("r", "tasks", own(live.Change{ID: "x", Row: st.write("x", "alice", map[string]any{"c": "blue"})})))
	require.Empty(t, k.ids(1, q), "the own write took x out")
	applied, _ := e.ApplyChanges(rd, []live.Change{fetched})
	require.True(t, applied)
	require.Empty(t, k.ids(1, q), "the older fetch does not bring x back")

	rd = e.BeginChanges("r", "tasks")
	fetched = st.remove("x")
	fetched.Removed = nil // a notification's delete carries no version
	require.Empty(t, e.ApplyOwn("r", "tasks", own(live.Change{ID: "x", Row: st.write("x", "alice", map[string]any{"c": "red"})})))
	require.Equal(t, []string{"x"}, k.ids(1, q))
	applied, _ = e.ApplyChanges(rd, []live.Change{fetched})
	require.False(t, applied, "missing in the fetch, written since: fetch again")
	deliver(t, e, st, "r", "tasks", "x")
	require.Equal(t, []string{"x"}, k.ids(1, q))
	k.requireNoViolations(t)
}

func TestResetSendsTheDifference(t *testing.T) {
	t.Parallel()
	st, k := newStore(), newSink()
	e := live.New[sub](k, live.Options{})
	ten(st)
	q := mustQuery(t, `{}`, `[{"field":"n"}]`, 3, live.Scope{})
	join(e, st, q, 1)
	st.remove("n0") // lost notifications
	st.write("n7", "alice", map[string]any{"n": -7})
	runReads(e, st, e.ResetAll())
	require.Equal(t, []string{"n7", "n1", "n2"}, k.ids(1, q))
	k.requireNoViolations(t)
}

// own is a change this replica made, as ApplyOwn takes it.
func own(ch live.Change) func() live.Change { return func() live.Change { return ch } }
