package realtime

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/protocol"
)

// One socket's mutations run at once, at most MaxInFlight of them: a hook holds each one before
// its write until as many as the bound allows are held together, which they could never be if
// the socket ran them one after another.
func TestMutationsOfOneSocketRunConcurrently(t *testing.T) {
	t.Parallel()
	const bound = 4
	var (
		mu              sync.Mutex
		inside, maxSeen int
	)
	entered, release := make(chan struct{}, 2*bound), make(chan struct{})
	rig := newFanoutRig(t, 1, testHooks{mutation: func(protocol.ClientMessage) {
		mu.Lock()
		inside++
		maxSeen = max(maxSeen, inside)
		mu.Unlock()
		entered <- struct{}{}
		<-release
		mu.Lock()
		inside--
		mu.Unlock()
	}})
	rig.hub.cfg.MaxInFlight = bound
	rig.visit(t, "r", "alice")
	c := rig.connect(t, "r", "alice", access.Admin)
	c.await("hello", func(m map[string]any) bool { return m["type"] == "hello" })

	for i := range 2 * bound {
		require.NoError(t, c.conn.WriteJSON(map[string]any{"type": "create", "ref": fmt.Sprintf("c%d", i),
			"collection": "tasks", "id": fmt.Sprintf("t%d", i), "data": map[string]any{"n": i}}))
	}
	for i := range bound {
		select {
		case <-entered:
		case <-time.After(fanoutWait):
			t.Fatalf("only %d mutations of one socket ran at once", i)
		}
	}
	close(release)
	for i := range 2 * bound {
		ref := fmt.Sprintf("c%d", i)
		c.await("ack "+ref, func(m map[string]any) bool {
			require.NotEqual(t, "error", m["type"], "%v", m)
			return m["type"] == "ack" && m["ref"] == ref
		})
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, bound, maxSeen, "at most MaxInFlight run at once")
}
