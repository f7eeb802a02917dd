// Package live is the live-query engine: changed rows in, per-subscription deltas out. It runs
// no SQL and touches no socket, so it is tested in memory; its caller (realtime) runs the
// database work it asks for and queues what it delivers.
//
// Shared queries. Subscriptions with the same Query (collection, where, orderBy, limit and
// reader Scope: its Key) share one evaluation: one ordered window, one Delta for all their
// subscribers, encoded once by the Sink. A changed row is evaluated only against the queries
// that can hold it: those whose windows hold the record, those whose where-object has an
// equality ({"status": "open"}, $eq, $in) that the row's value meets, and the collection's scan
// list (queries without such a constraint). Stats.Evaluations counts them.
//
// Incremental windows. A query with a limit keeps its window plus a margin: up to
// limit + min(limit, Options.MaxMargin) rows, in order. A changed record enters anywhere, moves,
// or leaves in memory; an arrival into a full window pushes out the last row, whose place
// becomes the window's edge (nothing past it is known), and a row that leaves the visible limit
// is replaced from the margin. Only when the margin is spent (fewer rows than the limit) and
// the collection may hold more does the engine return a refill Read: the caller runs the
// query's SQL once for all its subscribers and hands the rows to Install.
//
// Reads and races. Database reads run outside the engine's locks, so changes can be applied
// while one is in flight. The engine keeps those changes (the journal) until the read returns
// and applies them again on top of its result where they are newer; versions (createdAt,
// version) only grow per record, so a subscriber is never sent an older version than it
// holds, and every change that a read overtook is followed by its own notification, which
// corrects what the read got wrong.
//
// Memory bounds. A shared query holds at most limit + margin entries (a pointer to a Row and
// an index slot each; Rows are shared by the queries holding the same version), so a socket's
// subscriptions hold at most MaxSubscriptions × (limit + margin) entries (realtime: 100 ×
// (10000 + 100) at the protocol's largest limit, 100 × 1100 at the default limit of 1000),
// and a room's queries at most the sum over its distinct queries, however many sockets share
// them. Stats.Entries is the total held; the journal holds at most Options.MaxJournal changes
// per collection, and only while reads are in flight.
package live
