// Package records is the record service: query, get, create, put and remove, with the room's
// schema and access rules. REST and WebSocket both call it, so the rules cannot differ between
// transports.
package records

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/ratelimit"
	"github.com/recordroom/recordroom/schema"
)

// Service reads and writes records.
type Service struct {
	db            *db.DB
	defaultSchema *schema.Schema
	schemas       *schemaCache
	roomSchemas   roomSchemas
	batches       batcher // group commit of mutations (batch.go)
	cost          costLimiter
	mutations     *ratelimit.Limiter // nil: no limit
}

// New makes the service. defaultSchema (RECORDROOM_SCHEMA) applies to rooms without a schema of
// their own; nil means open mode. limits bound what a list query may cost (the zero value: no
// bound but the pool's statement timeout) and the memory parsed schemas take.
func New(database *db.DB, defaultSchema []byte, limits Limits) (*Service, error) {
	if limits.SchemaCacheBytes == 0 {
		limits.SchemaCacheBytes = DefaultSchemaCacheBytes
	}
	s := &Service{db: database, defaultSchema: schema.Open(), cost: costLimiter{Limits: limits, now: time.Now},
		schemas: newSchemaCache(limits.SchemaCacheBytes), mutations: ratelimit.New(limits.MutationRate, limits.MutationBurst)}
	s.batches.run = s.runBatch
	if len(defaultSchema) > 0 {
		parsed, err := parseNew(defaultSchema) // held for the service's life, outside the cache
		if err != nil {
			return nil, fmt.Errorf("RECORDROOM_SCHEMA: %w", err)
		}
		s.defaultSchema = parsed
	}
	return s, nil
}

// Query limits (PROTOCOL.md §3).
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
	// DefaultPageBytes bounds a REST page's record data in memory: limit=10000 of 1 MiB records
	// would otherwise be read whole (docs/protocol.md: a page may end early, with next).
	DefaultPageBytes = 16 << 20
)

// Query is a list request.
type Query struct {
	Where   json.RawMessage
	OrderBy json.RawMessage
	Limit   int    // 0 means DefaultLimit
	After   string // a cursor from a previous page's Next
}

// Page is one page of a query's result.
type Page = protocol.RecordPage

// Prepared is a query checked against the schema and the caller's access, ready to run.
type Prepared struct {
	Room, Collection string
	Where            *filter.Where
	Order            filter.Order
	Limit            int
	// OwnerScoped restricts the result to records Owner created (owner-level read access); an
	// anonymous caller, who owns nothing, gets nothing.
	OwnerScoped bool
	Owner       string
	after       string
	// asked is the limit the caller asked for: Run judges a query's cost by its first page at
	// this limit, whatever Limit a live window's load or refill sets.
	asked int
	// maxBytes, set for REST pages (Query), ends a page early once its data passes it; a live
	// window's reads need whole results and have none.
	maxBytes int
}

// Prepare parses and checks a query. WebSocket subscriptions keep the result to match changes.
func (s *Service) Prepare(ctx context.Context, caller access.Caller, room, collection string, q Query) (*Prepared, error) {
	c, err := s.collection(ctx, room, collection)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Room: room, Collection: collection, Limit: q.Limit, after: q.After}
	if c.Read == access.LevelOwner {
		p.OwnerScoped, p.Owner = true, caller.UserID
	} else if !access.Allowed(caller, c.Read, access.Read, "") {
		return nil, protocol.New(protocol.Forbidden, "reading %q needs role %s", collection, c.Read)
	}
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return nil, protocol.New(protocol.BadRequest, "limit: must be 1 to %d, got %d", MaxLimit, q.Limit)
	}
	p.asked = p.Limit
	if p.Where, err = filter.Parse(q.Where); err != nil {
		return nil, badRequest(err)
	}
	if p.Order, err = filter.ParseOrder(q.OrderBy); err != nil {
		return nil, badRequest(err)
	}
	return p, nil
}

// Query runs a list request.
func (s *Service) Query(ctx context.Context, caller access.Caller, room, collection string, q Query) (Page, error) {
	p, err := s.Prepare(ctx, caller, room, collection, q)
	if err != nil {
		return Page{}, err
	}
	p.maxBytes = cmp.Or(s.cost.PageBytes, DefaultPageBytes)
	return s.Run(ctx, p)
}

// Run runs a prepared query: one page, and the cursor of the next when there is more.
func (s *Service) Run(ctx context.Context, p *Prepared) (Page, error) {
	if p.OwnerScoped && p.Owner == "" {
		return Page{Records: []Record{}}, nil
	}
	sel := filter.Select{
		Room: p.Room, Collection: p.Collection, Where: p.Where, Order: p.Order,
		OwnerScoped: p.OwnerScoped, Owner: p.Owner, After: p.after,
		Limit: p.Limit + 1, // one row more tells whether a next page exists
	}
	clauses, args, err := sel.SQL()
	if err != nil {
		return Page{}, badRequest(err)
	}
	first := sel
	first.After, first.Limit = "", max(p.asked, 1)+1
	if err := s.cost.check(ctx, s.db, first); err != nil {
		return Page{}, err
	}
	rows, err := s.db.RecordSelect(ctx, db.RecordQuery{Clauses: clauses, Args: args, Timeout: s.cost.Timeout, MaxBytes: p.maxBytes})
	if err != nil {
		return Page{}, s.cost.timedOut(err)
	}
	page := Page{Records: make([]Record, 0, min(len(rows), p.Limit))}
	for i, r := range rows {
		if i == p.Limit {
			page.Next = p.Order.Cursor(Doc(rows[i-1]))
			break
		}
		page.Records = append(page.Records, FromDB(r))
	}
	if page.Next == "" && len(rows) > 0 && len(rows) <= p.Limit && p.maxBytes > 0 && dataBytes(rows) >= p.maxBytes {
		// Cut by the size bound: more may follow (when nothing does, the next page is empty).
		page.Next = p.Order.Cursor(Doc(rows[len(rows)-1]))
	}
	return page, nil
}

// Get reads one record.
func (s *Service) Get(ctx context.Context, caller access.Caller, k Key) (Record, error) {
	_, r, err := s.readable(ctx, caller, k)
	if err != nil {
		return Record{}, err
	}
	return FromDB(r), nil
}

// readable reads a record the caller may read, with its collection's rules. Another user's
// owner-scoped record reads as missing: its existence is theirs too.
func (s *Service) readable(ctx context.Context, caller access.Caller, k Key) (*schema.Collection, db.Record, error) {
	c, err := s.collection(ctx, k.Room, k.Collection)
	if err != nil {
		return nil, db.Record{}, err
	}
	if c.Read != access.LevelOwner && !access.Allowed(caller, c.Read, access.Read, "") {
		return nil, db.Record{}, protocol.New(protocol.Forbidden, "reading %q needs role %s", k.Collection, c.Read)
	}
	r, err := s.db.RecordGet(ctx, k.Room, k.Collection, k.ID)
	if err != nil {
		return nil, db.Record{}, recordErr(err, k.Collection, k.ID)
	}
	if !access.Allowed(caller, c.Read, access.Read, r.UserID) {
		return nil, db.Record{}, recordErr(db.ErrNotFound, k.Collection, k.ID)
	}
	return c, r, nil
}

// dataBytes is the size of rows' data, as RecordSelect's MaxBytes counts it.
func dataBytes(rows []db.Record) int {
	n := 0
	for _, r := range rows {
		n += len(r.Data)
	}
	return n
}

// mayWrite takes one of the caller's writes in room from its rate limit, or refuses the write
// with limit and when to try again (retryAfterMs; REST adds Retry-After).
func (s *Service) mayWrite(caller access.Caller, room string) error {
	if s.mutations == nil {
		return nil // no limit: not even the key is built, on the write path
	}
	ok, wait := s.mutations.Allow(room + "\x00" + caller.UserID)
	if ok {
		return nil
	}
	e := protocol.New(protocol.Limit, "more than %g writes a second by this user in this room (RECORDROOM_RATE_MUTATIONS)", s.cost.MutationRate)
	e.RetryAfterMs = ratelimit.Millis(wait)
	return e
}

func badRequest(err error) error {
	var fe *filter.Error
	if errors.As(err, &fe) {
		return protocol.New(protocol.BadRequest, "%s", fe.Error())
	}
	return err
}

func recordErr(err error, collection, id string) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return protocol.New(protocol.NotFound, "no record %q in %q", protocol.Clip(id), collection)
	case errors.Is(err, db.ErrConflict):
		return protocol.New(protocol.Conflict, "record %q exists in %q", protocol.Clip(id), collection)
	case errors.Is(err, db.ErrInvalid):
		return protocol.New(protocol.BadRequest, "data cannot be stored: %v", err)
	}
	return err
}

// Visible reports whether a record belongs in the prepared query's result, limit aside: the
// WebSocket fan-out decides this in memory for changed records, with exactly the where-object's
// SQL semantics.
func (p *Prepared) Visible(d filter.Doc) bool {
	if p.OwnerScoped && (p.Owner == "" || d.UserID != p.Owner) {
		return false
	}
	return p.Where.Match(d)
}

// ByIDs reads the current rows of records that changed, for the fan-out: rules are applied by
// the caller per subscriber.
func (s *Service) ByIDs(ctx context.Context, room, collection string, ids []string) ([]db.Record, error) {
	return s.db.RecordListByIDs(ctx, room, collection, ids)
}
