package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recordroom/recordroom/internal/ids"
)

// The baseline's SQL is what a developer writing rows themselves would send: one single-row
// INSERT per transaction. The plain table has the records' columns, checks and primary key, and
// nothing else: no trigger (so no NOTIFY), no partitions, no foreign key, no secondary index.
// The triggered figure inserts into the records table itself, whose statement trigger NOTIFYs
// as it does for the server's writes.
const (
	baselineRoomSQL = "INSERT INTO rooms (room_id) VALUES ($1) ON CONFLICT DO NOTHING"
	baselineColumns = "(room_id, collection, id, user_id, data) VALUES ($1, $2, $3, $4, $5)"
	// The records table's columns, defaults and checks, as the migrations made them, plus its
	// primary key; LIKE copies no trigger, partitioning, foreign key or index.
	plainTableDDL = `CREATE TABLE %[1]s (LIKE records INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE %[1]s ADD PRIMARY KEY (room_id, collection, id)`
)

// baseline measures raw Postgres: --concurrency connections inserting records of the shape the
// server writes (a UUIDv7 id, the same data), as fast as they can, first into a plain table
// (the figure mutations must beat), then into the records table with its notify trigger.
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
	// A table of this run's own, dropped again: with --url it is made in the server's database.
	plain := pgx.Identifier{"bench_plain_" + r.t.prefix[len("bench-"):]}.Sanitize()
	if _, err := pool.Exec(ctx, fmt.Sprintf(plainTableDDL, plain)); err != nil {
		return fmt.Errorf("create the plain table: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP TABLE IF EXISTS "+plain); err != nil {
			r.log.printf("drop the plain table: %v", err)
		}
	}()

	rate, q, err := r.insertAsFastAsPossible(ctx, pool, "baseline", "INSERT INTO "+plain+" "+baselineColumns, room)
	if err != nil {
		return fmt.Errorf("plain table: %w", err)
	}
	r.res.BaselineInsertPerS = num(rate)
	r.res.BaselineP50Ms, r.res.BaselineP99Ms = num(q[0]), num(q[1])
	rate, q, err = r.insertAsFastAsPossible(ctx, pool, "baseline (triggered)", "INSERT INTO records "+baselineColumns, room)
	if err != nil {
		return fmt.Errorf("records table: %w", err)
	}
	r.res.BaselineTriggeredInsertPerS = num(rate)
	r.res.BaselineTriggeredP50Ms, r.res.BaselineTriggeredP99Ms = num(q[0]), num(q[1])
	return nil
}

// insertAsFastAsPossible runs insertSQL on every connection of pool, one row per transaction,
// for a warm-up and the measured window, and returns the rows per second and the p50 and p99
// latency.
func (r *runner) insertAsFastAsPossible(ctx context.Context, pool *pgxpool.Pool, name, insertSQL, room string) (float64, []float64, error) {
	var done atomic.Int64
	lat := &samples{}
	stop := r.log.watch(name, func() string { return fmt.Sprintf("%d rows", done.Load()) })
	defer stop()
	w := newWindow(r.warmup(), r.cfg.Duration)
	err := runWorkers(ctx, int(pool.Config().MaxConns), func(ctx context.Context, i int) error {
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
			if _, err := conn.Exec(ctx, insertSQL, room, "bench", id, user, recordData(t0, i, seq)); err != nil {
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
		return 0, nil, err
	}
	return float64(lat.len()) / w.seconds(), lat.quantiles(0.5, 0.99), nil
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
