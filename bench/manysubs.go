package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/recordroom/recordroom/protocol"
)

// manySubsMinWrites is the fewest writes the CPU of one is averaged over: the server's CPU time
// is counted in ticks of 10 ms.
const manySubsMinWrites = 50

// manySubs measures what one write costs the server when a room holds --many-subs
// subscriptions, each with an equality filter of its own ({"k": i}), and the write matches
// exactly one of them: the server's CPU time (user and system, from /proc/<pid>/stat of a
// server process of its own, which nothing else uses meanwhile) over a run of confirmed writes,
// each waited for until the one subscriber it matches has received it, divided by the writes.
// The same writes into a room with a single subscription give the figure beside it: what the
// write costs anyway.
func (r *runner) manySubs(ctx context.Context) error {
	srv, err := r.t.cpuServer(ctx)
	if err != nil {
		return err
	}
	defer srv.release()
	n := r.cfg.ManySubs
	perConn := maxSubscriptions
	conns := (n + perConn - 1) / perConn
	room := r.t.room("many-subs")
	many := newSink()
	var subscribed atomic.Int64
	stopSub := r.log.watch("many-subs", func() string { return fmt.Sprintf("%d/%d subscriptions", subscribed.Load(), n) })
	clients, err := connectMany(ctx, conns, nil, func(ctx context.Context, c int) (*client, error) {
		cl, err := r.t.connect(ctx, srv.base, room, userName("subscriber", c), many.onChange, false)
		if err != nil {
			return nil, err
		}
		for k := c * perConn; k < min(n, (c+1)*perConn); k++ {
			where := []byte(`{"k":` + strconv.Itoa(k) + `}`)
			if _, err := cl.request(ctx, queryFrame("s"+strconv.Itoa(k), "m", where, nil, 0), "snapshot"); err != nil {
				cl.close()
				return nil, fmt.Errorf("subscription %d: %w", k, err)
			}
			subscribed.Add(1)
		}
		return cl, nil
	})
	stopSub()
	if err != nil {
		return err
	}
	defer closeAll(clients)
	writer, err := r.t.connect(ctx, srv.base, room, "writer", nil, false)
	if err != nil {
		return err
	}
	defer writer.close()
	perWrite, err := r.cpuPerWrite(ctx, srv.pid, writer, n, many)
	if err != nil {
		return err
	}
	if err := failures(append(clients, writer)); err != nil {
		return err
	}
	r.res.ManySubsWriteCPUMs = num(ms(perWrite))

	// The same writes where one subscription watches the room.
	one := r.t.room("many-subs-one")
	single := newSink()
	sub, err := r.t.connect(ctx, srv.base, one, "subscriber", single.onChange, false)
	if err != nil {
		return err
	}
	defer sub.close()
	// The newest records, so that every write enters the window (a plain subscription's default
	// window of 1,000 oldest would be full, and later writes past it, after 1,000 writes).
	newest := []protocol.OrderKey{{Field: "createdAt", Dir: "desc"}}
	if _, err := sub.request(ctx, queryFrame("s0", "m", nil, newest, feedLimit), "snapshot"); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	writer1, err := r.t.connect(ctx, srv.base, one, "writer", nil, false)
	if err != nil {
		return err
	}
	defer writer1.close()
	perWrite, err = r.cpuPerWrite(ctx, srv.pid, writer1, n, single)
	if err != nil {
		return err
	}
	if err := failures([]*client{sub, writer1}); err != nil {
		return err
	}
	r.res.ManySubsOneSubWriteCPUMs = num(ms(perWrite))
	r.log.printf("many-subs: %.3f ms of server CPU per write among %d subscriptions, %.3f ms with one",
		*r.res.ManySubsWriteCPUMs, n, ms(perWrite))
	return nil
}

// cpuPerWrite sends confirmed creates through writer, one at a time, each matching subscription
// k ({"k": k}, k cycling through [0, n)), and waits for each to arrive before the next: a
// warm-up, then for --duration (and at least manySubsMinWrites writes) with the server's CPU
// time read before and after.
func (r *runner) cpuPerWrite(ctx context.Context, pid int, writer *client, n int, got *sink) (time.Duration, error) {
	write := func(seq int64) error {
		k := int(seq % int64(n)) // a different subscription each time
		data := recordData(time.Now(), 0, seq)
		data = append(append(data[:len(data)-1], `,"k":`...), strconv.Itoa(k)+"}"...)
		ref := "c" + strconv.FormatInt(seq, 10)
		m, err := writer.request(ctx, createFrame(ref, "m", data), "ack")
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		if m.Ref != ref {
			return fmt.Errorf("ack for %q while waiting for %q", m.Ref, ref)
		}
		select {
		case <-got.arrived:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(arrivalGrace):
			return fmt.Errorf("write %d never reached its subscriber", seq)
		}
	}
	seq := int64(0)
	for end := time.Now().Add(r.warmup()); time.Now().Before(end) || seq < 5; seq++ {
		if err := write(seq); err != nil {
			return 0, err
		}
	}
	before, err := processCPU(pid)
	if err != nil {
		return 0, err
	}
	writes := int64(0)
	for end := time.Now().Add(r.cfg.Duration); time.Now().Before(end) || writes < manySubsMinWrites; writes++ {
		if err := write(seq + writes); err != nil {
			return 0, err
		}
	}
	after, err := processCPU(pid)
	if err != nil {
		return 0, err
	}
	if total := seq + writes; got.records.Load() != total {
		return 0, fmt.Errorf("%d writes reached subscribers %d times: each must reach exactly the one it matches", total, got.records.Load())
	}
	return (after - before) / time.Duration(writes), nil
}

// sink counts the records a set of subscribers receives and signals each.
type sink struct {
	records atomic.Int64
	arrived chan struct{}
}

func newSink() *sink { return &sink{arrived: make(chan struct{}, 1024)} }

func (s *sink) onChange(m *message, _ time.Time) {
	for range m.Upserts {
		s.records.Add(1)
		select {
		case s.arrived <- struct{}{}:
		default:
		}
	}
}
