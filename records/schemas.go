package records

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/schema"
)

// DefaultSchemaCacheBytes is the memory a service's parsed schemas may take (Limits): at least
// eight of the largest new schemas (schema.MaxMemoryBytes), hundreds of typical ones.
const DefaultSchemaCacheBytes = 64 << 20

// schemaCache keeps parsed schemas by the hash of their document: compiling JSON Schemas on every
// request would dominate the write path, and a room's schema rarely changes. It holds at most
// max bytes by schema.Bytes, least recently used going first. It is the only place a parsed
// room schema is kept between requests (rooms remember a hash, roomschemas.go), so max bounds
// them all; a schema heavier than max on its own (stored before schema.CheckSize, or a small
// max) is parsed again on each request that needs it.
type schemaCache struct {
	mu    sync.Mutex
	max   int
	bytes int
	lru   *simplelru.LRU[[32]byte, *schema.Schema]
}

func newSchemaCache(max int) *schemaCache {
	c := &schemaCache{max: max}
	// The count bound is never reached: bytes decide. onEvict keeps them counted.
	c.lru, _ = simplelru.NewLRU(math.MaxInt32, func(_ [32]byte, s *schema.Schema) { c.bytes -= s.Bytes() })
	return c
}

// get returns the parsed schema cached under key, if it still is.
func (c *schemaCache) get(key [32]byte) *schema.Schema {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _ := c.lru.Get(key)
	return s
}

// parse returns raw parsed, and the key it is cached under.
func (c *schemaCache) parse(raw []byte) (*schema.Schema, [32]byte, error) {
	key := sha256.Sum256(raw)
	if s := c.get(key); s != nil {
		return s, key, nil
	}
	s, err := schema.Parse(raw)
	if err != nil {
		return nil, key, err
	}
	c.add(key, s)
	return s, key, nil
}

// add caches s, evicting the least recently used until the bytes fit.
func (c *schemaCache) add(key [32]byte, s *schema.Schema) {
	if s.Bytes() > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Contains(key) {
		return // parsed concurrently: one copy is counted
	}
	c.lru.Add(key, s)
	c.bytes += s.Bytes()
	for c.bytes > c.max {
		c.lru.RemoveOldest()
	}
}

// Schema is the schema in force in room: its own, else the server's default, else open mode.
func (s *Service) Schema(ctx context.Context, room string) (*schema.Schema, error) {
	e, ok, gen := s.roomSchemas.lookup(room)
	if ok && !e.own {
		return s.defaultSchema, nil
	}
	if ok {
		if sc := s.schemas.get(e.key); sc != nil {
			return sc, nil
		}
		// Evicted by bytes: read the row again, as for a room not remembered.
	}
	r, err := s.db.RoomGet(ctx, room)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	sc, e := s.defaultSchema, roomSchema{}
	if len(r.Schema) > 0 && string(r.Schema) != "null" {
		if sc, e.key, err = s.schemas.parse(r.Schema); err != nil {
			return nil, err
		}
		e.own = true
	}
	s.roomSchemas.store(room, gen, e)
	return sc, nil
}

// RememberSchemas lets the service keep rooms' schemas in memory for as long as valid reports
// true; the replica passes its change listener's Connected, and forwards every rooms change to
// RoomChanged before it is handled otherwise (roomschemas.go).
func (s *Service) RememberSchemas(valid func() bool) { s.roomSchemas.valid = valid }

// RoomChanged forgets what the service remembers of room: its row changed. An empty room
// forgets every room (the listener reconnected: notifications may have been lost).
func (s *Service) RoomChanged(room string) { s.roomSchemas.forget(room) }

// SetSchema replaces the room's schema (admins only). A document that does not parse is refused
// with what is wrong in it, and nothing changes.
func (s *Service) SetSchema(ctx context.Context, caller access.Caller, room string, raw json.RawMessage) (*schema.Schema, error) {
	if caller.Role != access.Admin {
		return nil, protocol.New(protocol.Forbidden, "only admins change the schema")
	}
	parsed, err := parseNew(raw)
	if err != nil {
		return nil, protocol.New(protocol.BadRequest, "invalid schema: %v", err)
	}
	if err := s.db.RoomEnsure(ctx, room); err != nil {
		return nil, err
	}
	if _, err := s.db.RoomSetSchema(ctx, room, raw); err != nil {
		return nil, err
	}
	s.schemas.add(sha256.Sum256(raw), parsed) // the room's next read finds it parsed
	s.roomSchemas.forget(room)                // this replica's next write sees it at once, before the notification
	return parsed, nil
}

// parseNew parses a new schema (SetSchema, RECORDROOM_SCHEMA), holding it to what only new ones
// are refused for: blind writes and sizes. Such a schema stored earlier still loads. It is not
// cached here: a refused one must not take a stored one's place.
func parseNew(raw []byte) (*schema.Schema, error) {
	if err := schema.CheckDocumentSize(len(raw)); err != nil {
		return nil, err
	}
	parsed, err := schema.Parse(raw)
	if err == nil {
		err = parsed.CheckSize()
	}
	if err == nil {
		err = parsed.BlindWrites()
	}
	return parsed, err
}

// collection finds a collection's rules in the room's schema.
func (s *Service) collection(ctx context.Context, room, name string) (*schema.Collection, error) {
	if !schema.ValidCollectionName(name) {
		return nil, protocol.New(protocol.BadRequest, "invalid collection name %q: 1–64 characters of A-Z a-z 0-9 _ -", protocol.Clip(name))
	}
	sc, err := s.Schema(ctx, room)
	if err != nil {
		return nil, err
	}
	c, ok := sc.Collection(name)
	if !ok {
		return nil, protocol.New(protocol.UnknownCollection, "collection %q is not in this room's schema", name)
	}
	return c, nil
}
