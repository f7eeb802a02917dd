package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recordroom/recordroom/internal/ids"
)

// The baseline's SQL is what a developer writing rows themselves would send: one single-row
// INSERT per transaction, into the same table, whose statement trigger NOTIFYs as it does for
// the server's writes.
const (
	baselineRoomSQL   = "INSERT INTO rooms (room_id) VALUES ($1) ON CONFLICT DO NOTHING"
	baselineInsertSQL = "INSERT INTO records (room_id, collection, id, user_id, data) VALUES ($1, $2, $3, $4, $5)"
)

// baseline measures raw Postgres: --concurrency connections inserting records of the shape the
// server writes (a UUIDv7 id, the same data), as fast as they can.
func (r *runner) baseline(ctx context.Context) error {
	if r.t.dbURL == "" {
		return skip("no database to insert into: give DATABASE_URL (the server's database) with --url")
	}
	n := r.cfg.Concurrency
	room := r.t.room("baseline")
	pool, err := baselinePool(ctx, r.t.dbURL, n, room)
	if err != nil {
		return err
	}
	defer pool.Close()

	var done atomic.Int64
	lat := &samples{}
	stop := r.log.watch("baseline", func() string { return fmt.Sprintf("%d rows", done.Load()) })
	defer stop()
	w := newWindow(r.warmup(), r.cfg.Duration)
	err = runWorkers(ctx, n, func(ctx context.Context, i int) error {
		// A connection of its own for the whole run: what one client of a pool does.
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		user := userName("baseline", i)
		var local []time.Duration
		for seq := int64(0); ; seq++ {
			t0 := time.Now()
			if !t0.Before(w.end) {
				break
			}
			id, err := ids.New()
			if err != nil {
				return err
			}
			if _, err := conn.Exec(ctx, baselineInsertSQL, room, "bench", id, user, recordData(t0, i, seq)); err != nil {
				return fmt.Errorf("insert: %w", err)
			}
			done.Add(1)
			if t1 := time.Now(); w.holds(t1) {
				local = append(local, t1.Sub(t0))
			}
		}
		lat.merge(local)
		return nil
	})
	if err != nil {
		return err
	}
	q := lat.quantiles(0.5, 0.99)
	r.res.BaselineInsertPerS = num(float64(lat.len()) / w.seconds())
	r.res.BaselineP50Ms, r.res.BaselineP99Ms = num(q[0]), num(q[1])
	return nil
}

// baselinePool opens n connections to dbURL and makes room, which records refer to.
func baselinePool(ctx context.Context, dbURL string, n int, room string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns, cfg.MinConns = int32(n), int32(n)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, baselineRoomSQL, room); err != nil {
		pool.Close()
		return nil, fmt.Errorf("create room: %w", err)
	}
	return pool, nil
}
