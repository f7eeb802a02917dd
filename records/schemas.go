package records

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sync"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/schema"
)

// schemaCache keeps parsed schemas by the hash of their document: compiling JSON Schemas on every
// request would dominate the write path, and a room's schema rarely changes.
type schemaCache struct {
	mu     sync.Mutex
	parsed map[[32]byte]*schema.Schema
}

const schemaCacheSize = 1024

func (c *schemaCache) parse(raw []byte) (*schema.Schema, error) {
	key := sha256.Sum256(raw)
	c.mu.Lock()
	s, ok := c.parsed[key]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := schema.Parse(raw)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parsed == nil || len(c.parsed) >= schemaCacheSize {
		c.parsed = make(map[[32]byte]*schema.Schema) // crude but bounded; rooms re-parse once
	}
	c.parsed[key] = s
	return s, nil
}

// Schema is the schema in force in room: its own, else the server's default, else open mode.
func (s *Service) Schema(ctx context.Context, room string) (*schema.Schema, error) {
	sc, gen := s.roomSchemas.lookup(room)
	if sc != nil {
		return sc, nil
	}
	r, err := s.db.RoomGet(ctx, room)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	sc = s.defaultSchema
	if len(r.Schema) > 0 && string(r.Schema) != "null" {
		if sc, err = s.schemas.parse(r.Schema); err != nil {
			return nil, err
		}
	}
	s.roomSchemas.store(room, gen, sc)
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
	parsed, err := s.schemas.parse(raw)
	if err == nil {
		err = parsed.BlindWrites() // refused when new; such a schema stored earlier still loads
	}
	if err != nil {
		return nil, protocol.New(protocol.BadRequest, "invalid schema: %v", err)
	}
	if err := s.db.RoomEnsure(ctx, room); err != nil {
		return nil, err
	}
	if _, err := s.db.RoomSetSchema(ctx, room, raw); err != nil {
		return nil, err
	}
	s.roomSchemas.forget(room) // this replica's next write sees it at once, before the notification
	return parsed, nil
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
