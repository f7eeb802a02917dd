package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recordroom/recordroom/auth"
)

// target is what the scenarios drive: one or two replicas sharing a database, and the secret
// their tokens are signed with.
type target struct {
	// replicas are base URLs: writers and same-replica subscribers use the first, cross-replica
	// subscribers the second (absent when only one replica is known).
	replicas []string
	// dbURL reaches the replicas' database directly (the baseline); "" when out of reach.
	dbURL  string
	secret []byte
	// prefix starts every room this run uses, so that runs never share a room.
	prefix string
	// memoryServer returns the server the idle scenario connects to and whose memory it reads,
	// and how to let go of it.
	memoryServer func(ctx context.Context) (base string, release func(), err error)
	// cpuServer returns a server running as a process of its own, whose CPU time the many-subs
	// scenario reads; it skips where the benchmark did not start the server.
	cpuServer func(ctx context.Context) (*ownServer, error)
}

// ownServer is a replica running as a process of its own.
type ownServer struct {
	base    string
	pid     int
	release func()
}

// room names the room of one scenario.
func (t *target) room(scenario string) string { return t.prefix + "-" + scenario }

// token mints a token for user, valid for longer than any run.
func (t *target) token(user string) (string, error) {
	return auth.MintHS256(t.secret, auth.Identity{UserID: user}, 6*time.Hour, time.Now())
}

// connect opens a client on base for user in room.
func (t *target) connect(ctx context.Context, base, room, user string, onChange func(*message, time.Time), small bool) (*client, error) {
	tok, err := t.token(user)
	if err != nil {
		return nil, err
	}
	return dial(ctx, dialSpec{base: base, room: room, token: tok, onChange: onChange, small: small})
}

// dialParallelism bounds the connections being opened at once: enough to be quick, few enough
// not to queue the server's accept loop and database pool into timeouts.
const dialParallelism = 32

// connectMany opens n clients with open(i), in parallel; on any failure it closes those it
// opened and returns the first error. opened counts progress for the caller to show.
func connectMany(ctx context.Context, n int, opened *atomic.Int64, open func(ctx context.Context, i int) (*client, error)) ([]*client, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	clients := make([]*client, n)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	sem := make(chan struct{}, dialParallelism)
	for i := range n {
		sem <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := open(ctx, i)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			clients[i] = c
			if opened != nil {
				opened.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		closeAll(clients)
		return nil, firstErr
	}
	return clients, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// userName names the i-th user of a scenario.
func userName(role string, i int) string { return fmt.Sprintf("%s-%d", role, i) }
