package records

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// roomSchemaCacheSize bounds the rooms whose schema a replica remembers (least recently used
// go first); an entry is a room id and a hash, a few hundred bytes in all.
const roomSchemaCacheSize = 10000

// roomSchema is what a room's entry remembers: which schema, not the schema itself. A pointer
// would keep a parsed schema alive after the byte-bounded schemaCache evicted it, and 10,000
// rooms with distinct schemas could then hold gigabytes; a hash the cache no longer has is a
// miss, and the room's row is read again.
type roomSchema struct {
	own bool     // false: the service's default schema
	key [32]byte // schemaCache's key of the room's own schema
}

// roomSchemas remembers the schema in force in each room a replica served lately, so that a
// write does not read its room's row first: that read was a query per mutation, the largest
// single cost of a WebSocket create. It is right only while the change listener is connected:
// every change to a rooms row (a new schema or settings, a room made or deleted, by any replica
// or by plain SQL) is notified, and the listener's callback forgets the room before anything
// else handles the notification. While the listener is down, nothing is remembered.
//
// A schema change therefore reaches another replica's writes when its notification does
// (milliseconds), as it reaches that replica's subscriptions; docs/notify.md says so.
type roomSchemas struct {
	valid func() bool // nil: remember nothing

	mu sync.Mutex
	// gen grows with every forget: a schema read before a forget is not stored after it, so a
	// read that raced a change never outlives the change's notification.
	gen   uint64
	cache *simplelru.LRU[string, roomSchema]
}

// lookup returns room's remembered schema (ok), and the generation a read of it must store with.
func (c *roomSchemas) lookup(room string) (e roomSchema, ok bool, gen uint64) {
	if c.valid == nil || !c.valid() {
		return roomSchema{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil {
		return roomSchema{}, false, c.gen
	}
	e, ok = c.cache.Get(room)
	return e, ok, c.gen
}

// store remembers e for room, unless something was forgotten since the read began at gen.
func (c *roomSchemas) store(room string, gen uint64, e roomSchema) {
	if c.valid == nil || !c.valid() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.cache == nil {
		c.cache, _ = simplelru.NewLRU[string, roomSchema](roomSchemaCacheSize, nil) // size > 0: no error
	}
	c.cache.Add(room, e)
}

// forget drops room's entry; an empty room drops them all.
func (c *roomSchemas) forget(room string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	switch {
	case c.cache == nil:
	case room == "":
		c.cache.Purge()
	default:
		c.cache.Remove(room)
	}
}
