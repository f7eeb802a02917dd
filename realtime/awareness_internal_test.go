package realtime

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/yjs"
)

// A document holds at most maxAwarenessStatesPerDoc states; updates of known clients and
// removals still pass when it is full; stale states are swept, and the sweep stops when none
// are left.
func TestAwarenessStatesAreBoundedAndSwept(t *testing.T) {
	h := NewHub(HubConfig{})
	k := docKey{"r", "doc"}
	entry := func(id uint64, clock uint64) yjs.AwarenessEntry {
		return yjs.AwarenessEntry{ClientID: id, Clock: clock, State: json.RawMessage(`{}`)}
	}
	batch := make([]yjs.AwarenessEntry, 0, maxAwarenessStatesPerDoc)
	for i := range maxAwarenessStatesPerDoc {
		batch = append(batch, entry(uint64(i), 1))
	}
	require.True(t, h.awarenessSeen(k, batch))
	require.False(t, h.awarenessSeen(k, []yjs.AwarenessEntry{entry(5000, 1)}), "full")
	require.True(t, h.awarenessSeen(k, []yjs.AwarenessEntry{entry(3, 2)}), "a known client renews")
	gone := yjs.AwarenessEntry{ClientID: 4, Clock: 2, State: json.RawMessage("null")}
	require.True(t, h.awarenessSeen(k, []yjs.AwarenessEntry{gone}))
	require.True(t, h.awarenessSeen(k, []yjs.AwarenessEntry{entry(5000, 1)}), "room again after a removal")

	h.relay.mu.Lock()
	for id, st := range h.relay.aware[k] {
		if id != 3 {
			st.seen = time.Now().Add(-2 * awarenessTimeout)
			h.relay.aware[k][id] = st
		}
	}
	require.NotNil(t, h.relay.sweep, "a sweep is armed while there are states")
	h.relay.mu.Unlock()
	h.sweepAwareness()
	require.Len(t, h.awarenessOf(k), 1, "only the renewed state is left")

	h.relay.mu.Lock()
	st := h.relay.aware[k][3]
	st.seen = time.Now().Add(-2 * awarenessTimeout)
	h.relay.aware[k][3] = st
	h.relay.mu.Unlock()
	h.sweepAwareness()
	h.relay.mu.Lock()
	defer h.relay.mu.Unlock()
	require.Empty(t, h.relay.aware)
	require.Nil(t, h.relay.sweep, "nothing left: no timer")
}
