// Package db owns RecordRoom's Postgres access: the pgx pool, transactions, migrations, and the
// mapping of sqlc's generated rows to domain types. Generated code never leaves this package.
package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// Options tune the pool beyond what DATABASE_URL says; zero values keep the URL's (or pgx's)
// choice.
type Options struct {
	// MaxConns caps the pool (pgx's default: the larger of 4 and the number of CPUs).
	MaxConns int32
	// ApplicationName is reported in pg_stat_activity.
	ApplicationName string
}

// DB is a connection pool with RecordRoom's queries on it.
type DB struct {
	Store
	pool *pgxpool.Pool
}

// Open parses url (a libpq URL or key/value string: sslmode, sslrootcert and the PG* environment
// variables are honoured by pgx) and creates a pool. It does not wait for the database: see Wait.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.ApplicationName != "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = opts.ApplicationName
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	return &DB{Store: Store{q: dbsqlc.New(pool)}, pool: pool}, nil
}

// ParseConfig parses a database URL, naming the problem without echoing the password.
func ParseConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors already redact the password.
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	return cfg, nil
}

// Pool is the underlying pgx pool, for the few places (the listener's catch-up, the
// where-compiler) that run SQL of their own.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// Close closes every connection of the pool.
func (d *DB) Close() { d.pool.Close() }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.pool.Ping(ctx)
}

// Wait pings the database until it answers or timeout passes, so that a replica started next to
// its database (compose, Kubernetes) does not fail just because it came up first.
func (d *DB) Wait(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := 100 * time.Millisecond
	for {
		pingCtx, cancelPing := context.WithTimeout(ctx, 5*time.Second)
		err := d.pool.Ping(pingCtx)
		cancelPing()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("database unreachable after %s: %w", timeout, err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
func (d *DB) InTx(ctx context.Context, fn func(Store) error) error {
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		return fn(Store{q: dbsqlc.New(tx)})
	})
}

// Store runs RecordRoom's queries, on the pool or inside a transaction.
type Store struct {
	q *dbsqlc.Queries
}

// ErrNotFound: no row has that key.
var ErrNotFound = errors.New("not found")

// ErrConflict: a row with that key exists already, or a concurrent write won.
var ErrConflict = errors.New("conflict")

// ErrInvalid: the database refused a value (a check or foreign key constraint).
var ErrInvalid = errors.New("invalid value")
