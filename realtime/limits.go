package realtime

import "sync"

// socketLimits counts this replica's open sockets per user and per client address, so that one
// user or one address cannot hold a replica's memory in idle sockets (docs/operations.md lists
// the limits). Per replica: N replicas allow N times as many.
type socketLimits struct {
	perUser, perIP int // 0: no limit
	hit            func(limit, format string, args ...any) error

	mu   sync.Mutex
	open map[string]int // "user\x00<id>" or "ip\x00<address>" → sockets
}

// socketQuota is one limit a socket counts against.
type socketQuota struct {
	key, name, who string
	max            int
}

// take counts a socket about to open against its user's and its address's limits, or refuses
// it with limit; the keys it returns are given back with release when the socket ends.
func (l *socketLimits) take(a Admission) ([]string, error) {
	var quotas []socketQuota
	if a.Caller.UserID != "" && l.perUser > 0 {
		quotas = append(quotas, socketQuota{"user\x00" + a.Caller.UserID, "sockets_user", "this user", l.perUser})
	}
	if a.IP != "" && l.perIP > 0 {
		quotas = append(quotas, socketQuota{"ip\x00" + a.IP, "sockets_ip", "this address", l.perIP})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, q := range quotas {
		if l.open[q.key] >= q.max {
			return nil, l.hit(q.name, "%s has %d sockets open on this server already", q.who, q.max)
		}
	}
	if l.open == nil {
		l.open = map[string]int{}
	}
	keys := make([]string, len(quotas))
	for i, q := range quotas {
		l.open[q.key]++
		keys[i] = q.key
	}
	return keys, nil
}

// release gives back what take counted.
func (l *socketLimits) release(keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if l.open[k]--; l.open[k] <= 0 {
			delete(l.open, k)
		}
	}
}
