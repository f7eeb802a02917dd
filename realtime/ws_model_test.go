package realtime_test

// A model-based test of subscriptions: random writes by several users, over WebSocket and REST,
// on two replicas, with role changes, and at the end every subscription must hold exactly what a
// fresh REST query of the same user answers.
//
// RECORDROOM_WS_SEED reproduces a run's choices (the interleaving of the users is the
// scheduler's); RECORDROOM_WS_OPS sets the number of operations (default 3000).

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var modelSchema = map[string]any{"collections": map[string]any{
	"pub": map[string]any{"access": map[string]any{"read": "viewer", "write": "member"}},
	"mem": map[string]any{"access": map[string]any{"read": "member", "write": "member"}},
	"own": map[string]any{"access": map[string]any{"read": "owner", "write": "owner"}},
}}

var (
	modelColors = []string{"red", "green", "blue"}
	modelWheres = []any{
		nil,
		map[string]any{"c": "red"},
		map[string]any{"n": map[string]any{"$gte": 5}},
		map[string]any{"c": map[string]any{"$in": []string{"red", "blue"}}, "n": map[string]any{"$lt": 6}},
		map[string]any{"$or": []any{map[string]any{"c": "green"}, map[string]any{"n": 0}}},
		map[string]any{"k": map[string]any{"$exists": false}},
		map[string]any{"t": map[string]any{"$contains": "x"}},
		map[string]any{"c": map[string]any{"$ne": "red"}},
		map[string]any{"$not": map[string]any{"c": "blue"}},
		map[string]any{"n": map[string]any{"$nin": []int{1, 2, 3}}},
	}
	modelOrders = []any{
		[]map[string]any{{"field": "n", "dir": "desc"}},
		[]map[string]any{{"field": "c"}, {"field": "n", "dir": "desc"}},
		[]map[string]any{{"field": "n"}},
		[]map[string]any{{"field": "updatedAt", "dir": "desc"}},
		nil, // createdAt, id
		// Ordered windows: ties in the key (three colours among 24 records) broken by id, and
		// "the newest N", where a record arrives at the top and pushes the last one out.
		[]map[string]any{{"field": "c"}},
		[]map[string]any{{"field": "c", "dir": "desc"}},
		[]map[string]any{{"field": "createdAt", "dir": "desc"}},
	}
	modelCollections = []string{"pub", "pub", "mem", "mem", "own"}
)

// modelSpec draws a random subscription.
func modelSpec(rng *rand.Rand) subSpec {
	s := subSpec{Collection: modelCollections[rng.IntN(len(modelCollections))], Where: modelWheres[rng.IntN(len(modelWheres))]}
	if rng.IntN(10) < 6 {
		s.OrderBy = modelOrders[rng.IntN(len(modelOrders))]
		s.Limit = []int{1, 2, 3, 5, 5, 8}[rng.IntN(6)]
	}
	return s
}

// modelData draws record data; partial data suits a merge put.
func modelData(rng *rand.Rand, partial bool) map[string]any {
	d := map[string]any{}
	if !partial || rng.IntN(2) == 0 {
		d["c"] = modelColors[rng.IntN(len(modelColors))]
	}
	if !partial || rng.IntN(2) == 0 {
		d["n"] = rng.IntN(10)
	}
	if rng.IntN(4) == 0 {
		d["k"] = "x"
	}
	if rng.IntN(3) == 0 {
		d["t"] = [][]string{{"x"}, {"y"}, {"x", "y"}, {}}[rng.IntN(4)]
	}
	if partial && len(d) == 0 {
		d["n"] = rng.IntN(10)
	}
	return d
}

// modelActor is one user with its sockets.
type modelActor struct {
	user    string
	rng     *rand.Rand
	sockets []*wsClient
}

// expectedWriteErrors are the refusals random writes run into by design.
var expectedWriteErrors = map[string]bool{"forbidden": true, "conflict": true, "not_found": true}

func TestWSModelSubscriptionsMatchREST(t *testing.T) {
	t.Parallel()
	seed := envInt("RECORDROOM_WS_SEED", time.Now().UnixNano())
	ops := int(envInt("RECORDROOM_WS_OPS", 3000))
	t.Logf("seed %d (RECORDROOM_WS_SEED=%d reproduces it), %d operations", seed, seed, ops)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))

	c := startCluster(t, 2)
	replicas := c.replicas
	replicas[0].setSchema(t, "alice", room, modelSchema)
	users := []string{"alice", "bob", "carol", "dave"}
	for _, u := range users[1:] {
		replicas[rng.IntN(2)].join(t, u, room)
	}

	// Each user holds a socket on a random replica (alice one on each) with several
	// subscriptions.
	var actors []*modelActor
	for i, u := range users {
		a := &modelActor{user: u, rng: rand.New(rand.NewPCG(uint64(seed), uint64(i+2)))}
		on := []int{rng.IntN(2)}
		if u == "alice" {
			on = []int{0, 1}
		}
		for _, ri := range on {
			cl := replicas[ri].connectAs(t, u, fmt.Sprintf("%s@r%d", u, ri), room)
			subs := 4 + rng.IntN(3)
			for s := range subs {
				cl.Subscribe(fmt.Sprintf("s%d", s), modelSpec(rng))
			}
			for s := range subs {
				cl.WaitSnapshot(fmt.Sprintf("s%d", s))
			}
			a.sockets = append(a.sockets, cl)
		}
		actors = append(actors, a)
	}

	var (
		mu       sync.Mutex
		problems []string
		counts   = map[string]int{}
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 50 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	count := func(what string) {
		mu.Lock()
		counts[what]++
		mu.Unlock()
	}

	// run performs one random operation of a.
	run := func(a *modelActor) {
		rng := a.rng
		coll := modelCollections[rng.IntN(len(modelCollections))]
		id := fmt.Sprintf("%s%02d", coll[:1], rng.IntN(24))
		r := replicas[rng.IntN(2)]
		sock := a.sockets[rng.IntN(len(a.sockets))]
		viaWS := rng.IntN(10) < 6

		switch k := rng.IntN(100); {
		case a.user == "alice" && k < 2: // a role change
			who := users[1+rng.IntN(3)]
			role := []string{"member", "viewer"}[rng.IntN(2)]
			resp, err := r.tryREST("alice", http.MethodPatch, "/v1/rooms/"+room+"/users/"+who, map[string]string{"role": role})
			if err != nil || resp.Status != http.StatusOK {
				problem("set %s's role to %s: %v %d %s", who, role, err, resp.Status, resp.Body)
			}
			count("role change")
			return
		case k < 5: // resubscribe an ended subscription, or replace one
			name := fmt.Sprintf("s%d", rng.IntN(4))
			st, _ := sock.Status(name)
			sock.mu.Lock()
			spec := sock.subs[name].spec
			sock.mu.Unlock()
			if st != subEnded && st != subPending {
				spec = modelSpec(rng) // a viewer's replacement on mem is refused, ending the sub
			}
			if st != subPending {
				if err := sock.trySubscribe(name, spec); err != nil {
					problem("%s: subscribe: %v", sock.name, err)
				}
				count("subscribe")
			}
			return
		case k < 35:
			verb, replace := "put", rng.IntN(10) < 3
			data := modelData(rng, !replace)
			ifVersion := int64(-1)
			if rng.IntN(10) == 0 {
				ifVersion = int64(rng.IntN(4))
			}
			count(fmt.Sprintf("put replace=%v", replace))
			if viaWS {
				wsOp(sock, rng, problem, verb, func(ref string) error { return sock.tryPut(ref, coll, id, data, replace, ifVersion) })
				return
			}
			var headers []string
			if ifVersion >= 0 {
				headers = []string{"If-Match", fmt.Sprint(ifVersion)}
			}
			restOp(r, a.user, problem, http.MethodPut, "/collections/"+coll+"/records/"+id, map[string]any{"data": data, "replace": replace}, headers...)
		case k < 70:
			data := modelData(rng, false)
			if rng.IntN(5) == 0 {
				id = ""
			}
			count("create")
			if viaWS {
				wsOp(sock, rng, problem, "create", func(ref string) error { return sock.tryCreate(ref, coll, id, data) })
				return
			}
			restOp(r, a.user, problem, http.MethodPost, "/collections/"+coll+"/records", map[string]any{"id": id, "data": data})
		default:
			count("remove")
			if viaWS {
				wsOp(sock, rng, problem, "remove", func(ref string) error { return sock.tryRemove(ref, coll, id) })
				return
			}
			restOp(r, a.user, problem, http.MethodDelete, "/collections/"+coll+"/records/"+id, nil)
		}
	}

	start := time.Now()
	var wg sync.WaitGroup
	for _, a := range actors {
		wg.Go(func() {
			for range ops / len(actors) {
				run(a)
			}
		})
	}
	wg.Wait()
	t.Logf("%d operations in %s: %v", ops, time.Since(start).Round(time.Millisecond), counts)
	mu.Lock()
	require.Empty(t, problems, "unexpected answers during the run")
	mu.Unlock()

	// Everyone a member again; every subscription that a role change ended is subscribed again,
	// so the comparison covers all of them.
	for _, u := range users[1:] {
		replicas[0].setRole(t, "alice", room, u, "member")
	}
	for _, a := range actors {
		for _, s := range a.sockets {
			s.mu.Lock()
			for name, st := range s.subs {
				if st.status == subEnded && (st.err.Code != "forbidden" || st.spec.Collection != "mem") {
					t.Errorf("%s: subscription %s (%+v) ended: %s", s.name, name, st.spec, st.err.Raw)
				}
			}
			s.mu.Unlock()
		}
	}
	for _, a := range actors {
		for _, s := range a.sockets {
			resubscribeEnded(t, s)
		}
	}

	// Quiescence: every subscription equals a fresh REST query of its user.
	deadline := time.Now().Add(30 * time.Second)
	quiet := time.Now()
	var diffs []string
	for {
		diffs = modelDiffs(t, actors, replicas[0])
		if len(diffs) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Empty(t, diffs, "subscriptions differ from REST %s after the last write", time.Since(quiet).Round(time.Millisecond))
	// And they stay equal: nothing late arrives.
	time.Sleep(300 * time.Millisecond)
	require.Empty(t, modelDiffs(t, actors, replicas[1]), "subscriptions changed after agreeing with REST")

	total := 0
	for _, a := range actors {
		for _, s := range a.sockets {
			s.Ping()
			s.CheckRYW()
			s.RequireNoViolations()
			s.mu.Lock()
			total += len(s.msgs)
			for _, e := range s.errs {
				if e.Ref == "" && e.Sub == "" && !expectedWriteErrors[string(e.Code)] {
					t.Errorf("%s: unexpected error %s", s.name, e.Raw)
				}
			}
			s.mu.Unlock()
		}
	}
	t.Logf("quiet after %s; %d messages received", time.Since(quiet).Round(time.Millisecond), total)
}

// wsOp sends one mutation over the socket and waits for its answer; a few go without a ref
// (fire-and-forget), their errors arrive without one.
func wsOp(s *wsClient, rng *rand.Rand, problem func(string, ...any), verb string, send func(ref string) error) {
	ref := ""
	if rng.IntN(50) != 0 {
		ref = s.NewRef("m")
	}
	if err := send(ref); err != nil {
		problem("%s: %s: %v", s.name, verb, err)
		return
	}
	if ref == "" {
		return
	}
	m, ok := s.waitReply(ref, wsWait)
	switch {
	case !ok:
		problem("%s: no answer to %s %s", s.name, verb, ref)
	case m.Type == "error" && !expectedWriteErrors[string(m.Code)]:
		problem("%s: %s %s: %s", s.name, verb, ref, m.Raw)
	case m.Type != "ack" && m.Type != "error":
		problem("%s: %s %s answered %s", s.name, verb, ref, m.Raw)
	}
}

// restOp sends one mutation over REST.
func restOp(r *wsReplica, user string, problem func(string, ...any), method, path string, body any, headers ...string) {
	resp, err := r.tryREST(user, method, "/v1/rooms/"+room+path, body, headers...)
	switch {
	case err != nil:
		problem("%s %s: %v", method, path, err)
	case resp.Status >= 300 && !expectedWriteErrors[resp.Code()]:
		problem("%s %s as %s: %d %s", method, path, user, resp.Status, resp.Body)
	}
}

// resubscribeEnded subscribes again, with the same query, every subscription of s that an error
// ended, retrying while the server still refuses it (it learns of role changes asynchronously).
func resubscribeEnded(t *testing.T, s *wsClient) {
	t.Helper()
	deadline := time.Now().Add(wsWait)
	for {
		s.mu.Lock()
		ended := map[string]subSpec{}
		pending := 0
		for name, st := range s.subs {
			switch st.status {
			case subEnded:
				ended[name] = st.spec
			case subPending:
				pending++
			}
		}
		s.mu.Unlock()
		if len(ended) == 0 && pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: subscriptions still refused: %v", s.name, ended)
		}
		for name, spec := range ended {
			s.Subscribe(name, spec)
		}
		s.waitUntil(time.Second, func() bool {
			for _, st := range s.subs {
				if st.status == subPending {
					return false
				}
			}
			return true
		})
	}
}

// modelDiffs compares every subscription with REST, and lists the differences.
func modelDiffs(t *testing.T, actors []*modelActor, r *wsReplica) []string {
	t.Helper()
	var diffs []string
	for _, a := range actors {
		for _, s := range a.sockets {
			s.mu.Lock()
			names := make([]string, 0, len(s.subs))
			for name := range s.subs {
				names = append(names, name)
			}
			s.mu.Unlock()
			sort.Strings(names)
			for _, name := range names {
				s.mu.Lock()
				st := s.subs[name]
				status, spec := st.status, st.spec
				s.mu.Unlock()
				if status != subActive {
					diffs = append(diffs, fmt.Sprintf("%s %s: %s", s.name, name, status))
					continue
				}
				want, resp, err := r.tryQuery(a.user, room, spec)
				if err != nil || resp.Status != http.StatusOK {
					diffs = append(diffs, fmt.Sprintf("%s %s: REST %v %d %s", s.name, name, err, resp.Status, resp.Body))
					continue
				}
				if d := recordsDiff(s.State(name), want); d != "" {
					diffs = append(diffs, fmt.Sprintf("%s %s %s: %s", s.name, name, specString(spec), d))
				}
			}
		}
	}
	return diffs
}

func specString(s subSpec) string {
	var b strings.Builder
	b.WriteString(s.Collection)
	if s.Where != nil {
		b.WriteString(" where ")
		b.Write(mustJSON(s.Where))
	}
	if s.OrderBy != nil {
		b.WriteString(" orderBy ")
		b.Write(mustJSON(s.OrderBy))
	}
	if s.Limit > 0 {
		fmt.Fprintf(&b, " limit %d", s.Limit)
	}
	return b.String()
}
