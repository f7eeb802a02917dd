package filter_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/protocol"
)

// The property test compares the SQL and Match faces on random records and random where-objects
// from one grammar over one value pool, and Order's SQL, Compare and cursors on random orderBys.
// Reproduce a failure with the seed it prints:
//
//	RECORDROOM_FILTER_SEED=1234 go test ./filter -run TestPropertyWhere
//
// (or go test ./filter -run TestPropertyWhere -args -filter.seed=1234). RECORDROOM_FILTER_SCALE=10
// (-filter.scale=10) runs ten times as many where-objects and orders.
var (
	seedFlag  = flag.Uint64("filter.seed", 0, "seed of the filter property test (0: random)")
	scaleFlag = flag.Int("filter.scale", 0, "multiplier of the property test's where-objects and orders (0: 1)")
)

const (
	propRecords = 2000
	propWheres  = 2000
	propOrders  = 60
	propPaging  = 50
)

func propertySeed(t *testing.T) uint64 {
	seed := *seedFlag
	if s := os.Getenv("RECORDROOM_FILTER_SEED"); seed == 0 && s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (reproduce: RECORDROOM_FILTER_SEED=%d go test ./filter -run '^%s$')", seed, seed, t.Name())
	return seed
}

func propertyScale(t *testing.T) int {
	n := *scaleFlag
	if s := os.Getenv("RECORDROOM_FILTER_SCALE"); n == 0 && s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(t, err)
	}
	return max(n, 1)
}

func TestPropertyWhere(t *testing.T) {
	t.Parallel()
	seed, scale := propertySeed(t), propertyScale(t)
	g := newGen(seed)
	pool := openRoom(t)
	start := time.Now()
	orig := g.records(propRecords)
	docs := insertDocs(t, pool, orig)
	require.Len(t, docs, propRecords)
	byID := map[string]filter.Doc{}
	for _, d := range orig {
		byID[d.ID] = d
	}

	wheres := make([]string, propWheres*scale)
	for i := range wheres {
		wheres[i] = g.whereJSON()
	}
	var hits [3]atomic.Int64 // none, some, all
	parallel(t, len(wheres), func(i int) error {
		w, err := filter.Parse([]byte(wheres[i]))
		if err != nil {
			return fmt.Errorf("generated where does not parse: %s: %w", wheres[i], err)
		}
		want := matchIDs(w, docs)
		got, sql, err := query{where: w}.run(context.Background(), pool)
		if err != nil {
			return fmt.Errorf("%s\n%s: %w", wheres[i], sql, err)
		}
		if err := sameIDs(want, sortedCopy(got), docs); err != nil {
			return fmt.Errorf("where %s\nsql %s\n%w", wheres[i], sql, err)
		}
		for _, d := range docs[:i%10] { // the data as written and as read back match alike
			if w.Match(d) != w.Match(byID[d.ID]) {
				return fmt.Errorf("where %s: Match differs on %s before and after Postgres: %v vs %v", wheres[i], d.ID, byID[d.ID].Data, d.Data)
			}
		}
		switch len(want) {
		case 0:
			hits[0].Add(1)
		case len(docs):
			hits[2].Add(1)
		default:
			hits[1].Add(1)
		}
		return nil
	})
	t.Logf("%d records × %d where-objects agree (%d match none, %d some, %d all) in %v",
		len(docs), len(wheres), hits[0].Load(), hits[1].Load(), hits[2].Load(), time.Since(start).Round(time.Millisecond))
	require.Greater(t, hits[1].Load(), int64(len(wheres)/3), "the generator should mostly make where-objects that split the records")
}

// TestPropertyWhereICU runs a smaller property test on a database with an ICU default collation.
func TestPropertyWhereICU(t *testing.T) {
	t.Parallel()
	seed := propertySeed(t)
	g := newGen(seed)
	pool := openICURoom(t)
	docs := insertDocs(t, pool, g.records(300))
	parallel(t, 300, func(int) error {
		where := g.whereJSONLocked()
		w, err := filter.Parse([]byte(where))
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		got, sql, err := query{where: w}.run(context.Background(), pool)
		if err != nil {
			return fmt.Errorf("%s\n%s: %w", where, sql, err)
		}
		if err := sameIDs(matchIDs(w, docs), sortedCopy(got), docs); err != nil {
			return fmt.Errorf("where %s\nsql %s\n%w", where, sql, err)
		}
		return nil
	})
	checkOrders(t, g, pool, docs, 30, 10)
}

func TestPropertyOrder(t *testing.T) {
	t.Parallel()
	seed, scale := propertySeed(t), propertyScale(t)
	g := newGen(seed)
	pool := openRoom(t)
	docs := insertDocs(t, pool, g.records(propRecords))
	start := time.Now()
	pages := checkOrders(t, g, pool, docs, propOrders*scale, propPaging*scale)
	t.Logf("%d orders sorted alike, %d paged through in %d pages, %d records, in %v",
		propOrders*scale, propPaging*scale, pages, len(docs), time.Since(start).Round(time.Millisecond))
}

// checkOrders compares SQL's order with Compare's for nOrders random orderBys, then pages
// through nPaging random (where, orderBy) pairs with cursors; it returns the pages read.
func checkOrders(t *testing.T, g *gen, pool *pgxpool.Pool, docs []filter.Doc, nOrders, nPaging int) int64 {
	parallel(t, nOrders, func(int) error {
		orderBy := g.orderJSONLocked()
		o, err := filter.ParseOrder([]byte(orderBy))
		if err != nil {
			return fmt.Errorf("%s: %w", orderBy, err)
		}
		want := sortDocs(o, docs)
		got, sql, err := query{order: &o}.run(context.Background(), pool)
		if err != nil {
			return fmt.Errorf("%s\n%s: %w", orderBy, sql, err)
		}
		if !equalStrings(want, got) {
			return fmt.Errorf("orderBy %s\nsql %s\n%s", orderBy, sql, firstDifference(want, got, docs, o))
		}
		return nil
	})
	var pages atomic.Int64
	parallel(t, nPaging, func(int) error {
		orderBy, where, divisor := g.pagingLocked()
		n, err := pageThrough(pool, docs, orderBy, where, divisor)
		pages.Add(int64(n))
		return err
	})
	return pages.Load()
}

// pageThrough reads every record that where matches, in orderBy's order, a few at a time, and
// checks they come exactly once and in Compare's order.
func pageThrough(pool *pgxpool.Pool, docs []filter.Doc, orderBy, where string, divisor int) (int, error) {
	o, err := filter.ParseOrder([]byte(orderBy))
	if err != nil {
		return 0, err
	}
	w, err := filter.Parse([]byte(where))
	if err != nil {
		return 0, err
	}
	var matching []filter.Doc
	for _, d := range docs {
		if w.Match(d) {
			matching = append(matching, d)
		}
	}
	want := sortDocs(o, matching)
	limit := max(1, len(want)/divisor)
	byID := map[string]filter.Doc{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	var got []string
	after, pages := "", 0
	for {
		page, sql, err := query{where: w, order: &o, after: after, limit: limit}.run(context.Background(), pool)
		if err != nil {
			return pages, fmt.Errorf("orderBy %s where %s\n%s: %w", orderBy, where, sql, err)
		}
		pages++
		got = append(got, page...)
		if len(page) < limit || len(got) > len(want) {
			break
		}
		after = o.Cursor(byID[page[len(page)-1]])
	}
	if !equalStrings(want, got) {
		return pages, fmt.Errorf("paging orderBy %s where %s by %d\n%s", orderBy, where, limit, firstDifference(want, got, docs, o))
	}
	return pages, nil
}

func sortDocs(o filter.Order, docs []filter.Doc) []string {
	sorted := append([]filter.Doc{}, docs...)
	sort.Slice(sorted, func(i, j int) bool { return o.Compare(sorted[i], sorted[j]) < 0 })
	return docIDs(sorted)
}

// parallel runs n checks on a few goroutines and fails t with the first error.
func parallel(t *testing.T, n int, check func(i int) error) {
	t.Helper()
	var (
		next   atomic.Int64
		failed atomic.Pointer[error]
		wg     sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for failed.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := check(i); err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatal(*err)
	}
}

func sameIDs(want, got []string, docs []filter.Doc) error {
	if equalStrings(want, got) {
		return nil
	}
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, d := range docs {
		if w[d.ID] != g[d.ID] {
			data, _ := json.Marshal(d.Data)
			fmt.Fprintf(&b, "  %s Match=%v SQL=%v createdAt=%s data=%s\n", d.ID, w[d.ID], g[d.ID], protocol.FormatTime(d.CreatedAt), data)
		}
	}
	return fmt.Errorf("Match and SQL disagree (%d vs %d ids):\n%s", len(want), len(got), b.String())
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstDifference(want, got []string, docs []filter.Doc, o filter.Order) string {
	byID := map[string]filter.Doc{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	for i := 0; i < min(len(want), len(got)); i++ {
		if want[i] != got[i] {
			dw, dg := byID[want[i]], byID[got[i]]
			return fmt.Sprintf("at %d of %d/%d: Compare puts %s %v first, SQL %s %v (Compare=%d)",
				i, len(want), len(got), dw.ID, dw.Data, dg.ID, dg.Data, o.Compare(dw, dg))
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d", len(want), len(got))
}

// gen makes records and queries from one value pool, so that queries hit.
type gen struct {
	mu    sync.Mutex
	r     *rand.Rand
	ids   []string
	users []string
	times []time.Time
	docs  []filter.Doc
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var (
	// Keys include ones that read as array indexes to #> ("0", "-1", " 1") and a dotted key,
	// which no path can reach.
	topKeys    = []string{"a", "b", "c", "tags", "n", "s", "o", "0", "ü", "x.y", "it's", "x"}
	nestedKeys = []string{"a", "b", "0", "1", "-1", " 1", "$d", "y", "é"}
	numbers    = []string{"0", "-0", "1", "1.0", "1.50", "1.5", "-2", "10", "1e2", "100", "0.1", "1E-1",
		"99999999999999999999", "99999999999999999999.5", "-0.5", "3", "2", "123456789.123456789", "1e-20"}
	stringsPool = []string{"", "a", "ab", "abc", "b", "B", "A", "é", "e\u0301", "日本", "日", "a b", "%", "_",
		"a%", "a_", "\\", "null", "1", "10", "true", "😀", "Z", "zz", "it's", "<&>", "\u2028", "a\nb", "ä", "Ab", "aB"}
	idChars = "abcAB019._:-"
	users   = []string{"alice", "Alice", "bob", "ålice", "bob_2", "b", "a b", "ALICE", "a"}
)

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) scalar() any {
	switch g.pick(10) {
	case 0:
		return nil
	case 1:
		return g.pick(2) == 0
	case 2, 3, 4, 5:
		return json.Number(numbers[g.pick(len(numbers))])
	}
	return stringsPool[g.pick(len(stringsPool))]
}

func (g *gen) value(depth int) any {
	switch r := g.pick(10); {
	case r < 6 || depth >= 3:
		return g.scalar()
	case r < 8:
		arr := make([]any, g.pick(4))
		for i := range arr {
			arr[i] = g.value(depth + 1)
		}
		return arr
	}
	return g.object(nestedKeys, 3, depth+1)
}

func (g *gen) object(keys []string, maxKeys, depth int) map[string]any {
	m := map[string]any{}
	for range g.pick(maxKeys + 1) {
		m[keys[g.pick(len(keys))]] = g.value(depth)
	}
	return m
}

func (g *gen) records(n int) []filter.Doc {
	seen := map[string]bool{}
	for len(g.ids) < n {
		b := make([]byte, 1+g.pick(4))
		for i := range b {
			b[i] = idChars[g.pick(len(idChars))]
		}
		if id := string(b); !seen[id] {
			seen[id] = true
			g.ids = append(g.ids, id)
		}
	}
	// Few distinct instants, some a microsecond apart within one millisecond, so orders tie and
	// createdAt strings (milliseconds) tie more often than the timestamps do.
	for i := range 40 {
		g.times = append(g.times, t0.Add(time.Duration(i/4)*time.Millisecond*997+time.Duration(i%4)*time.Microsecond))
	}
	g.users = users
	docs := make([]filter.Doc, n)
	defer func() { g.docs = docs }()
	for i := range docs {
		docs[i] = filter.Doc{
			ID: g.ids[i], UserID: users[g.pick(len(users))],
			CreatedAt: g.times[g.pick(len(g.times))], UpdatedAt: g.times[g.pick(len(g.times))],
			Data: g.object(topKeys, 10, 0),
		}
	}
	return docs
}

var reservedNames = []string{"id", "userId", "createdAt", "updatedAt"}

// path picks a field: mostly short data paths over keys the records use, sometimes reserved.
func (g *gen) path() string {
	if g.pick(8) == 0 {
		return reservedNames[g.pick(len(reservedNames))]
	}
	if g.docs != nil && g.pick(2) == 0 {
		return g.recordPath()
	}
	segs := []string{topKeys[g.pick(len(topKeys))]}
	for g.pick(3) == 0 && len(segs) < 3 {
		segs = append(segs, nestedKeys[g.pick(len(nestedKeys))])
	}
	return strings.Join(segs, ".")
}

// operand picks a value to compare the field with: for reserved fields mostly their own values
// and prefixes of them.
func (g *gen) operand(field string, depth int) any {
	if g.pick(5) == 0 {
		return g.value(depth)
	}
	var s string
	switch field {
	case "id":
		s = g.ids[g.pick(len(g.ids))]
	case "userId":
		s = g.users[g.pick(len(g.users))]
	case "createdAt", "updatedAt":
		s = protocol.FormatTime(g.times[g.pick(len(g.times))])
	default:
		if v, ok := g.recordValue(field); ok && g.pick(3) > 0 {
			return v
		}
		return g.value(depth)
	}
	if g.pick(3) == 0 {
		s = s[:g.pick(len(s)+1)]
	}
	return s
}

// recordPath walks a random record's objects to a random depth; it may end on a dotted key,
// which no path reaches.
func (g *gen) recordPath() string {
	var segs []string
	var v any = g.docs[g.pick(len(g.docs))].Data
	for len(segs) < 3 {
		m, ok := v.(map[string]any)
		if !ok || len(m) == 0 || (len(segs) > 0 && g.pick(2) == 0) {
			break
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k := keys[g.pick(len(keys))]
		if len(segs) == 0 && strings.HasPrefix(k, "$") {
			break
		}
		segs, v = append(segs, k), m[k]
	}
	if len(segs) == 0 {
		return "a"
	}
	return strings.Join(segs, ".")
}

// recordValue is the value at a data path of a random record, when it has one.
func (g *gen) recordValue(field string) (any, bool) {
	for range 8 {
		if v, ok := lookup(g.docs[g.pick(len(g.docs))].Data, strings.Split(field, ".")); ok {
			return v, true
		}
	}
	return nil, false
}

func lookup(v any, segs []string) (any, bool) {
	for _, seg := range segs {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return v, true
}

// element is an element of an array some record holds at field, or any value.
func (g *gen) element(field string) any {
	if v, ok := g.recordValue(field); ok {
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			return arr[g.pick(len(arr))]
		}
	}
	return g.operand(field, 1)
}

func (g *gen) orderable(field string) any {
	for {
		switch v := g.operand(field, 3).(type) {
		case string, json.Number:
			return v
		}
	}
}

func (g *gen) prefix(field string) string {
	for {
		if s, ok := g.operand(field, 3).(string); ok {
			if g.pick(2) == 0 {
				s = s[:g.pick(len(s)+1)]
			}
			return s
		}
	}
}

var opNames = []string{"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$contains", "$startsWith"}

func (g *gen) condition(field string) any {
	if g.pick(4) == 0 {
		v := g.operand(field, 0)
		if m, ok := v.(map[string]any); ok && hasDollarKey(m) {
			return map[string]any{"$eq": v} // a plain object with $-keys would read as operators
		}
		return v
	}
	ops := map[string]any{}
	for range 1 + g.pick(2) {
		name := opNames[g.pick(len(opNames))]
		switch name {
		case "$gt", "$gte", "$lt", "$lte":
			ops[name] = g.orderable(field)
		case "$in", "$nin":
			list := make([]any, 1+g.pick(4))
			for i := range list {
				list[i] = g.operand(field, 1)
			}
			ops[name] = list
		case "$exists":
			ops[name] = g.pick(2) == 0
		case "$startsWith":
			ops[name] = g.prefix(field)
		case "$contains":
			ops[name] = g.element(field)
		default:
			ops[name] = g.operand(field, 1)
		}
	}
	return ops
}

func hasDollarKey(m map[string]any) bool {
	for k := range m {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

func (g *gen) where(depth int) map[string]any {
	m := map[string]any{}
	for range 1 + g.pick(2)*g.pick(3) {
		switch r := g.pick(12); {
		case r == 0 && depth < 3:
			m["$and"] = g.wheres(depth)
		case r == 1 && depth < 3:
			m["$or"] = g.wheres(depth)
		case r == 2 && depth < 3:
			m["$not"] = g.where(depth + 1)
		default:
			f := g.path()
			m[f] = g.condition(f)
		}
	}
	return m
}

func (g *gen) wheres(depth int) []any {
	list := make([]any, 1+g.pick(3))
	for i := range list {
		list[i] = g.where(depth + 1)
	}
	return list
}

func (g *gen) whereJSON() string {
	b, err := json.Marshal(g.where(0))
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (g *gen) whereJSONLocked() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.whereJSON()
}

func (g *gen) orderJSON() string {
	var keys []map[string]string
	used := map[string]bool{}
	for range 1 + g.pick(3) {
		f := g.path()
		if g.pick(3) == 0 {
			f = topKeys[g.pick(len(topKeys))] // single keys hold more kinds of values
		}
		if used[f] {
			continue
		}
		used[f] = true
		k := map[string]string{"field": f}
		if g.pick(2) == 0 {
			k["dir"] = []string{"asc", "desc"}[g.pick(2)]
		}
		keys = append(keys, k)
	}
	b, _ := json.Marshal(keys)
	return string(b)
}

func (g *gen) orderJSONLocked() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.orderJSON()
}

// pagingLocked picks an orderBy, a where-object (half of them match everything) and how many
// pages to expect.
func (g *gen) pagingLocked() (orderBy, where string, divisor int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	where = "{}"
	if g.pick(2) == 0 {
		where = g.whereJSON()
	}
	return g.orderJSON(), where, 3 + g.pick(12)
}
