package live

// Read is database work the engine needs and leaves to its caller, who runs it outside every
// lock and hands the result back: Install for a query's rows, ApplyChanges for changed records.
// Every Read must be handed back or aborted exactly once.
type Read[S comparable] struct {
	// Query is what to run (with its Source), for a query read: its first Limit rows.
	Query Query
	// Limit is how many rows to ask for: the query's limit plus its margin.
	Limit int
	kind  readKind
	room  *room[S]
	coll  *collection[S]
	q     *shared[S]
	sub   S // a load's subscriber
	start uint64
	gen   uint64
	// insist applies changes even where a newer own write may have overtaken the read (the
	// caller has fetched again enough times).
	insist bool
}

type readKind uint8

const (
	readLoad    readKind = iota // a query that is not in memory yet, for its first subscriber
	readRefill                  // a window whose margin is spent
	readReset                   // every query again, after notifications were lost
	readChanges                 // the current rows of changed records
)

// Insist makes ApplyChanges apply this read whatever own writes overtook it: for a caller that
// fetched again several times and must make progress.
func (r *Read[S]) Insist() { r.insist = true }

// IsLoad reports whether the read loads a query for a new subscriber (whose subscribe fails
// when the read does).
func (r *Read[S]) IsLoad() bool { return r.kind == readLoad }
