// Package db owns RecordRoom's Postgres access: the pgx pool, transactions, migrations, and the
// mapping of sqlc's generated rows to domain types. Generated code never leaves this package.
package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	// StatementTimeout, when positive, ends any statement running longer (statement_timeout,
	// sent as a startup parameter).
	StatementTimeout time.Duration
	// SessionURL, when set, is a direct connection for the work that needs a real session
	// (session advisory locks) while url goes through a transaction-mode pooler; a small second
	// pool is opened on it.
	SessionURL string
}

// DB is a connection pool with RecordRoom's queries on it.
type DB struct {
	Store
	pool    *pgxpool.Pool
	session *pgxpool.Pool // for session locks: pool itself unless Options.SessionURL is set
}

// sessionPoolSize bounds the session pool: it only serves short file locks.
const sessionPoolSize = 4

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
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	d := &DB{Store: newStore(pool), pool: pool, session: pool}
	if opts.SessionURL != "" {
		if d.session, err = openSessionPool(ctx, opts.SessionURL, cfg); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return d, nil
}

// openSessionPool opens the small direct pool, with the main pool's session settings.
func openSessionPool(ctx context.Context, url string, main *pgxpool.Config) (*pgxpool.Pool, error) {
	cfg, err := ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = sessionPoolSize
	for k, v := range main.ConnConfig.RuntimeParams {
		if _, set := cfg.ConnConfig.RuntimeParams[k]; !set {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open session pool: %w", err)
	}
	return pool, nil
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
func (d *DB) Close() {
	if d.session != d.pool {
		d.session.Close()
	}
	d.pool.Close()
}

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
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		return fn(newStore(tx))
	})
	if err != nil && !errors.Is(err, ErrUnavailable) && unreachable(err) {
		return fmt.Errorf("transaction: %w: %w", ErrUnavailable, err) // begin or commit failed
	}
	return err
}

// Store runs RecordRoom's queries, on the pool or inside a transaction.
type Store struct {
	q    *dbsqlc.Queries
	conn dbsqlc.DBTX // for the where-compiler's queries, the one SQL not generated by sqlc
}

func newStore(conn dbsqlc.DBTX) Store { return Store{q: dbsqlc.New(conn), conn: conn} }

// ErrNotFound: no row has that key.
var ErrNotFound = errors.New("not found")

// ErrConflict: a row with that key exists already, or a concurrent write won.
var ErrConflict = errors.New("conflict")

// ErrInvalid: the database refused a value (a check or foreign key constraint).
var ErrInvalid = errors.New("invalid value")

// ErrUnavailable: the database cannot be reached now; the same request may succeed later.
var ErrUnavailable = errors.New("database unavailable")
