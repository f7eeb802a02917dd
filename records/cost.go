package records

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/protocol"
)

// Limits bound the work one list query may ask of the database: the REST list, a WebSocket
// subscription's snapshot and the live engine's loads and refills all run through Run, so a
// query is refused (`limit`) on every path alike (docs/operations.md, "Query cost limits").
type Limits struct {
	// MaxCost (RECORDROOM_QUERY_MAX_COST) refuses a query whose plan has no index narrowing
	// it (db.RecordPlan.Indexed) and whose planner cost is above it; 0: no cost check.
	MaxCost float64
	// Timeout (RECORDROOM_QUERY_TIMEOUT) cancels a list query that runs longer; 0: only the
	// pool's statement timeout (RECORDROOM_DB_STATEMENT_TIMEOUT) applies.
	Timeout time.Duration
	// MutationRate and MutationBurst (RECORDROOM_RATE_MUTATIONS, …_BURST) bound one user's
	// writes in one room, per replica: creates, puts and removes alike, on both transports;
	// 0: no limit.
	MutationRate  float64
	MutationBurst int
	// PageBytes bounds the record data one REST page holds in memory (0: DefaultPageBytes): a
	// page reaches it and ends early, with a next cursor, however large its limit.
	PageBytes int
	// VerdictTTL is how long a cost verdict is reused for the same query (a hot subscription's
	// refills are not EXPLAINed each time); 0: DefaultVerdictTTL.
	VerdictTTL time.Duration
	// SchemaCacheBytes bounds the parsed room schemas a service keeps, by schema.Bytes (least
	// recently used go first); 0: DefaultSchemaCacheBytes.
	SchemaCacheBytes int
}

// DefaultVerdictTTL: long enough that a busy subscription is EXPLAINed about once a minute,
// short enough that a collection that grew (or got an index) is judged afresh soon.
const DefaultVerdictTTL = time.Minute

// maxVerdicts bounds the verdict cache; when full, it is emptied (a cache miss costs one
// EXPLAIN, never a wrong answer).
const maxVerdicts = 4096

// costLimiter judges queries by their plan and remembers its verdicts for a while.
type costLimiter struct {
	Limits
	mu       sync.Mutex
	verdicts map[string]verdict
	now      func() time.Time
}

type verdict struct {
	refused error // nil: allowed
	expires time.Time
}

// check refuses sel with `limit` when its plan reads the collection without a narrowing index
// and costs more than MaxCost. sel is the query's first page at the limit its caller asked for,
// whatever page or window is being read, so that every page of a list and every load or refill
// of a subscription gets the verdict its first page got.
func (c *costLimiter) check(ctx context.Context, database *db.DB, sel filter.Select) error {
	if c.MaxCost <= 0 || indexable(sel.Where) {
		return nil
	}
	clauses, args, err := sel.SQL()
	if err != nil {
		return badRequest(err)
	}
	argsJSON, err := json.Marshal(args)
	cacheable := err == nil
	key := sel.Room + "\x00" + sel.Collection + "\x00" + clauses + "\x00" + string(argsJSON)
	now := c.now()
	if cacheable {
		c.mu.Lock()
		v, ok := c.verdicts[key]
		c.mu.Unlock()
		if ok && now.Before(v.expires) {
			return v.refused
		}
	}
	plan, err := database.RecordExplain(ctx, db.RecordQuery{Clauses: clauses, Args: args})
	if err != nil {
		return fmt.Errorf("explain list query: %w", err)
	}
	var refused error
	if !plan.Indexed && plan.Cost > c.MaxCost {
		refused = protocol.New(protocol.Limit,
			"query refused: no index narrows it and its estimated cost %.0f is over RECORDROOM_QUERY_MAX_COST=%s; "+
				"filter by equality, $in or $contains (answered by the index), order by createdAt, or ask the operator to raise the limit",
			plan.Cost, strconv.FormatFloat(c.MaxCost, 'f', -1, 64))
	}
	if cacheable {
		ttl := c.VerdictTTL
		if ttl <= 0 {
			ttl = DefaultVerdictTTL
		}
		c.mu.Lock()
		if c.verdicts == nil || len(c.verdicts) >= maxVerdicts {
			c.verdicts = map[string]verdict{}
		}
		c.verdicts[key] = verdict{refused: refused, expires: now.Add(ttl)}
		c.mu.Unlock()
	}
	return refused
}

// indexable reports whether the GIN index on data can answer part of the where-object: an
// equality or $in on a data path that must hold (it carries a data @> conjunct). The planner may
// still prefer another plan (walking the createdAt index and filtering, when it expects matches
// soon); that is its estimate of the cheaper way, not a query that cannot use an index, so it
// is never refused for cost. Conditions on the record's own fields are left to the plan, which
// shows whether a b-tree index took them.
func indexable(w *filter.Where) bool {
	for _, e := range w.Equalities() {
		switch e.Field {
		case "id", "userId", "createdAt", "updatedAt":
		default:
			return true
		}
	}
	return false
}

// timedOut turns a list query cancelled by a statement timeout into `limit`, naming the
// setting that cancelled it.
func (c *costLimiter) timedOut(err error) error {
	if !errors.Is(err, db.ErrTimeout) {
		return err
	}
	setting := "RECORDROOM_DB_STATEMENT_TIMEOUT"
	if c.Timeout > 0 {
		setting = fmt.Sprintf("RECORDROOM_QUERY_TIMEOUT=%s", c.Timeout)
	}
	return fmt.Errorf("%w: %w", protocol.New(protocol.Limit,
		"query cancelled: it ran longer than %s allows; narrow it with an indexed filter (equality, $in, $contains) or a smaller limit", setting), err)
}
