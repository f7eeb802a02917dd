package realtime

import (
	"context"
	"hash/maphash"
	"sync"
)

// maxQueuedChanges bounds the notifications waiting in one shard of the fan-out pool. Past it
// the shard drops them and re-evaluates every subscription of its rooms instead, as after a
// listener reconnect: nothing is lost, and memory stays bounded (shards × this) however far
// the fan-out falls behind.
const maxQueuedChanges = 20000

// fanout is the delivery pool: a fixed number of shards, each room always on the same one, so
// that a room's changes are delivered in commit order while a slow room (a slow fetch or
// refill) delays only the rooms of its own shard. The listener only queues; delivering is the
// shards' work, on goroutines started when there is work and ended when there is none.
type fanout struct {
	seed   maphash.Seed
	shards []*shard
}

// shard delivers the changes of its rooms on two lanes, each with at most one goroutine:
//
//   - the member lane: users, rooms, teams and team members, the changes that re-evaluate a
//     session's subscriptions or close it (a new role, a removal: 4003, a new schema). It never
//     waits behind record or document changes, however slow their delivery.
//   - the data lane: records, Yjs updates and awareness. A data change waits for every member
//     change queued before it (the barrier), so that what was committed after a role change or
//     a removal reaches the session only once it has been re-evaluated, as when one goroutine
//     delivered everything in commit order.
//
// Each lane delivers in queue order (commit order). A resync (after a listener reconnect, or
// when the shard's queue overflowed) supersedes everything queued before it and runs on the
// data lane.
type shard struct {
	hub   *Hub
	index int

	mu      sync.Mutex
	data    []queuedChange
	members []queuedChange
	// resync is set when queued changes were dropped in favour of re-evaluating every
	// subscription of the shard's rooms.
	resync bool
	// membersQueued numbers the member changes ever queued; membersDone is the highest one
	// delivered (or dropped by a resync). A data change queued after member change n is
	// delivered once membersDone ≥ n.
	membersQueued, membersDone uint64
	membersAdvanced            chan struct{} // closed, and replaced, whenever membersDone grows
	dataRunning                chan struct{} // while the data lane's goroutine runs; closed when it ends
	membersRunning             chan struct{} // the same for the member lane
}

// queuedChange is a change waiting in a lane: seq numbers a member change, after is the member
// change a data change waits for.
type queuedChange struct {
	Change
	seq, after uint64
}

func newFanout(h *Hub, n int) fanout {
	f := fanout{seed: maphash.MakeSeed(), shards: make([]*shard, n)}
	for i := range f.shards {
		f.shards[i] = &shard{hub: h, index: i, membersAdvanced: make(chan struct{})}
	}
	return f
}

// shardOf is the shard that delivers room's changes: always the same one.
func (f *fanout) shardOf(room string) *shard {
	return f.shards[maphash.String(f.seed, room)%uint64(len(f.shards))]
}

// isMemberTable reports whether a table's changes travel the member lane.
func isMemberTable(table string) bool {
	switch table {
	case "users", "rooms", "teams", "team_members":
		return true
	}
	return false
}

// QueueChange queues one change notification for this replica's sessions and returns at once,
// so the listener never waits on fan-out. A notification names rows of any number of rooms;
// each shard gets the rows of its own rooms, in their order.
func (h *Hub) QueueChange(c Change) {
	if len(h.fanout.shards) == 1 {
		h.fanout.shards[0].queue(c)
		return
	}
	var order []*shard
	rows := map[*shard][]ChangeRow{}
	for _, r := range c.Rows {
		s := h.fanout.shardOf(r.Room)
		if _, ok := rows[s]; !ok {
			order = append(order, s)
		}
		rows[s] = append(rows[s], r)
	}
	for _, s := range order {
		part := c
		part.Rows = rows[s]
		s.queue(part)
	}
}

// queue adds c to its lane and makes sure the lane's goroutine runs.
func (s *shard) queue(c Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resync {
		return // the resync to come reads everything afresh
	}
	if len(s.data)+len(s.members) >= maxQueuedChanges {
		s.resyncLocked()
		s.hub.metrics.fanoutOverflows.Inc()
		s.hub.cfg.Logger.Warn("change notifications queued past the limit; re-evaluating every subscription of the shard's rooms",
			"shard", s.index, "limit", maxQueuedChanges)
		return
	}
	if isMemberTable(c.Table) {
		s.membersQueued++
		s.members = append(s.members, queuedChange{Change: c, seq: s.membersQueued})
		if s.membersRunning == nil {
			s.membersRunning = make(chan struct{})
			go s.deliverMembers(s.membersRunning)
		}
		return
	}
	s.data = append(s.data, queuedChange{Change: c, after: s.membersQueued})
	s.startDataLocked()
}

// resyncLocked drops what is queued in favour of re-evaluating every subscription of the
// shard's rooms, on the data lane. s.mu is held.
func (s *shard) resyncLocked() {
	s.data, s.members = nil, nil
	s.resync = true
	s.advanceLocked(s.membersQueued) // dropped member changes hold nothing back
	s.startDataLocked()
}

func (s *shard) startDataLocked() {
	if s.dataRunning == nil {
		s.dataRunning = make(chan struct{})
		go s.deliverData(s.dataRunning)
	}
}

// advanceLocked records member change seq as delivered, waking a data lane waiting for it.
func (s *shard) advanceLocked(seq uint64) {
	if seq <= s.membersDone {
		return
	}
	s.membersDone = seq
	close(s.membersAdvanced)
	s.membersAdvanced = make(chan struct{})
}

// deliverMembers delivers queued member changes until there are none, then ends, closing done.
func (s *shard) deliverMembers(done chan struct{}) {
	for {
		s.mu.Lock()
		batch := s.members
		s.members = nil
		if len(batch) == 0 {
			s.membersRunning = nil
			close(done)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		changes := make([]Change, len(batch))
		for i, c := range batch {
			changes[i] = c.Change
		}
		for _, c := range coalesce(changes) {
			if s.hub.hooks.member != nil {
				s.hub.hooks.member(c)
			}
			s.hub.deliverChange(c)
		}
		s.mu.Lock()
		s.advanceLocked(batch[len(batch)-1].seq)
		s.mu.Unlock()
	}
}

// deliverData delivers queued data changes (and resyncs) until there are none, then ends,
// closing done. It takes every change that queued up meanwhile and is not held back by the
// barrier together: under load, one query fetches the rows of many notifications.
func (s *shard) deliverData(done chan struct{}) {
	for {
		s.mu.Lock()
		if s.resync {
			s.resync = false
			s.mu.Unlock()
			s.hub.resyncRooms(func(room string) bool { return s.hub.fanout.shardOf(room) == s })
			continue
		}
		n := 0
		for n < len(s.data) && s.data[n].after <= s.membersDone {
			n++
		}
		if n == 0 {
			if len(s.data) == 0 {
				s.dataRunning = nil
				close(done)
				s.mu.Unlock()
				return
			}
			wait := s.membersAdvanced // behind a member change still being delivered
			s.mu.Unlock()
			<-wait
			continue
		}
		changes := make([]Change, n)
		for i, c := range s.data[:n] {
			changes[i] = c.Change
		}
		s.data = append(s.data[:0:0], s.data[n:]...)
		s.mu.Unlock()
		for _, c := range coalesce(changes) {
			s.hub.deliverChange(c)
		}
	}
}

// queued counts the changes waiting in the shard's lanes.
func (s *shard) queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.data) + len(s.members)
}

// requestResync makes every shard drop what it has queued and re-evaluate every subscription
// of its rooms, each on its own data lane, ahead of every change queued after this call.
func (f *fanout) requestResync() {
	for _, s := range f.shards {
		s.mu.Lock()
		s.resyncLocked()
		s.mu.Unlock()
	}
}

// wait waits for the lanes' goroutines running now, if any, to end (or for ctx).
func (f *fanout) wait(ctx context.Context) {
	for _, s := range f.shards {
		s.mu.Lock()
		running := []chan struct{}{s.dataRunning, s.membersRunning}
		s.mu.Unlock()
		for _, r := range running {
			if r == nil {
				continue
			}
			select {
			case <-r:
			case <-ctx.Done():
				return
			}
		}
	}
}

// queued counts the changes waiting in every shard.
func (f *fanout) queued() int {
	n := 0
	for _, s := range f.shards {
		n += s.queued()
	}
	return n
}

// coalesce joins runs of changes to the same table with the same op into one: fan-out reads
// the current rows behind the keys, so one fetch serves them all, in the same order.
func coalesce(changes []Change) []Change {
	out := changes[:0:0]
	for _, c := range changes {
		if n := len(out); n > 0 && out[n-1].Table == c.Table && out[n-1].Op == c.Op && c.Table != tableAwareness {
			last := &out[n-1]
			last.Rows = append(last.Rows[:len(last.Rows):len(last.Rows)], c.Rows...)
			continue
		}
		out = append(out, c)
	}
	return out
}
