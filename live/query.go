package live

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/recordroom/recordroom/filter"
)

// Scope is the reader rule of a query: what the caller may read of its collection beyond the
// where-object (access.LevelOwner collections show a reader only the records they created).
// Callers whose role merely lets them read the collection share one Scope, the zero one.
type Scope struct {
	OwnerOnly bool
	Owner     string // with OwnerOnly: the reader; "" (anonymous) reads nothing
}

// Query is one live query: a collection's records that match Where and Scope, in Order, the
// first Limit of them. Queries with the same Key are one shared query.
type Query struct {
	Collection string
	Where      *filter.Where
	Order      filter.Order
	Limit      int
	Scope      Scope
	// Source is the caller's handle to run the query's SQL (a prepared statement); the engine
	// hands it back in a Read and never looks inside.
	Source any
	key    string
}

// NewQuery makes a query; limit must be at least 1.
func NewQuery(collection string, where *filter.Where, order filter.Order, limit int, scope Scope, source any) Query {
	q := Query{Collection: collection, Where: where, Order: order, Limit: max(limit, 1), Scope: scope, Source: source}
	q.key = q.makeKey()
	return q
}

// Key names the query's results: equal keys, equal results. It is built from the compiled SQL
// of the where-object and the order (their canonical forms), so whitespace and key order within an
// orderBy key do not split a shared query (a number spelled 5 or 5.0 still does).
func (q Query) Key() string { return q.key }

func (q Query) makeKey() string {
	var p filter.Params
	where := q.Where.SQL(&p)
	args, _ := json.Marshal(p) // strings, numbers and JSON text: cannot fail
	var b strings.Builder
	for _, part := range []string{q.Collection, where, string(args), q.Order.SQL(), strconv.Itoa(q.Limit),
		strconv.FormatBool(q.Scope.OwnerOnly), q.Scope.Owner} {
		b.WriteString(strconv.Itoa(len(part)))
		b.WriteByte(':')
		b.WriteString(part)
	}
	return b.String()
}

// Matches reports whether a record belongs in the query's result, limit aside: the same answer
// as its SQL (filter proves Match equal to the where-object's SQL).
func (q Query) Matches(d filter.Doc) bool {
	if q.Scope.OwnerOnly && (q.Scope.Owner == "" || d.UserID != q.Scope.Owner) {
		return false
	}
	return q.Where.Match(d)
}
