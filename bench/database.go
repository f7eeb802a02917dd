package bench

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchDatabasePrefix starts the name of every database the benchmark creates; it drops only
// the one it created.
const benchDatabasePrefix = "recordroom_bench_"

// createDatabase makes an empty database on the server serverURL points at and returns its URL;
// drop removes it again.
func createDatabase(ctx context.Context, serverURL string) (dbURL string, drop func() error, err error) {
	name := benchDatabasePrefix + randomHex(6)
	dbURL, err = withDatabase(serverURL, name)
	if err != nil {
		return "", nil, err
	}
	if err := execOn(ctx, serverURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		// FORCE: a replica that did not stop in time must not keep the database alive.
		if err := execOn(ctx, serverURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return dbURL, drop, nil
}

// withDatabase is rawURL pointing at database name.
func withDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL here (the benchmark creates a database beside the one it names)")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func execOn(ctx context.Context, dbURL, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// serverVersion asks Postgres for its version ("15.4 (Debian ...)").
func serverVersion(ctx context.Context, dbURL string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var v string
	err = conn.QueryRow(ctx, "SHOW server_version").Scan(&v)
	return v, err
}

// dropRooms deletes this run's rooms, and with them (ON DELETE CASCADE) everything in them;
// used against a server the benchmark did not start, so that runs do not pile up rows.
func dropRooms(ctx context.Context, dbURL, prefix string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "DELETE FROM rooms WHERE starts_with(room_id, $1)", prefix+"-")
	return err
}
