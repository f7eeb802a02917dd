package bench

import (
	"context"
	"errors"
	"strings"
)

// remoteTarget drives servers someone else runs: --url (and --url2, another replica of the same
// deployment). Their database is reachable for the baseline only when cfg.DatabaseURL names it.
func remoteTarget(cfg Config) (*target, error) {
	if cfg.Secret == "" {
		return nil, errors.New("--url needs the server's token secret: --secret or RECORDROOM_JWT_SECRET")
	}
	t := &target{
		replicas: []string{strings.TrimSuffix(cfg.URL, "/")},
		dbURL:    cfg.DatabaseURL,
		secret:   []byte(cfg.Secret),
		prefix:   "bench-" + randomHex(3),
	}
	if cfg.URL2 != "" {
		t.replicas = append(t.replicas, strings.TrimSuffix(cfg.URL2, "/"))
	}
	// The idle sockets go to, and the memory is read from, the process behind --url: point it
	// at one replica, not a load balancer.
	t.memoryServer = func(context.Context) (string, func(), error) { return t.replicas[0], func() {}, nil }
	t.cpuServer = func(context.Context) (*ownServer, error) {
		return nil, skip("the server's CPU time is read from /proc/<pid>/stat of a server process the benchmark starts itself")
	}
	return t, nil
}
