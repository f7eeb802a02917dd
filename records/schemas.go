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
	r, err := s.db.RoomGet(ctx, room)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if len(r.Schema) == 0 || string(r.Schema) == "null" {
		return s.defaultSchema, nil
	}
	return s.schemas.parse(r.Schema)
}

// SetSchema replaces the room's schema (admins only). A document that does not parse is refused
// with what is wrong in it, and nothing changes.
func (s *Service) SetSchema(ctx context.Context, caller access.Caller, room string, raw json.RawMessage) (*schema.Schema, error) {
	if caller.Role != access.Admin {
		return nil, protocol.New(protocol.Forbidden, "only admins change the schema")
	}
	parsed, err := s.schemas.parse(raw)
	if err != nil {
		return nil, protocol.New(protocol.BadRequest, "invalid schema: %v", err)
	}
	if err := s.db.RoomEnsure(ctx, room); err != nil {
		return nil, err
	}
	if _, err := s.db.RoomSetSchema(ctx, room, raw); err != nil {
		return nil, err
	}
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
