package live

import "sync/atomic"

// Stats are the engine's counters, for metrics and tests.
type Stats struct {
	Queries     int64 // shared queries held
	Subscribers int64 // subscriptions to them
	// Entries is the rows held in all windows: at most limit + margin per shared query, each
	// a pointer to a Row shared by every query holding that version.
	Entries     int64
	Evaluations uint64 // changes evaluated against a query (the index skips the rest)
	Refills     uint64 // refill reads opened: windows whose margin was spent
	Loads       uint64 // windows set from SQL: loads, refills and resets
}

type counters struct {
	queries, subscribers, entries atomic.Int64
	evaluations, refills, loads   atomic.Uint64
}

// Stats reads the counters now.
func (e *Engine[S]) Stats() Stats {
	c := &e.stats
	return Stats{Queries: c.queries.Load(), Subscribers: c.subscribers.Load(), Entries: c.entries.Load(),
		Evaluations: c.evaluations.Load(), Refills: c.refills.Load(), Loads: c.loads.Load()}
}
