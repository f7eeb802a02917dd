package records

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/recordroom/recordroom/schema"
)

// roomSchemaCacheSize bounds the rooms whose schema a replica remembers (least recently used
// go first); an entry is a room id and a pointer into the parsed-schema cache.
const roomSchemaCacheSize = 10000

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
	cache *simplelru.LRU[string, *schema.Schema]
}

// lookup returns room's remembered schema, or the generation a read of it must store with.
func (c *roomSchemas) lookup(room string) (sc *schema.Schema, gen uint64) {
	if c.valid == nil || !c.valid() {
		return nil, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil {
		return nil, c.gen
	}
	sc, _ = c.cache.Get(room)
	return sc, c.gen
}

// store remembers sc for room, unless something was forgotten since the read began at gen.
func (c *roomSchemas) store(room string, gen uint64, sc *schema.Schema) {
	if c.valid == nil || !c.valid() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.cache == nil {
		c.cache, _ = simplelru.NewLRU[string, *schema.Schema](roomSchemaCacheSize, nil) // size > 0: no error
	}
	c.cache.Add(room, sc)
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
