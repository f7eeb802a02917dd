// Package testdb gives each test that commits or listens a database of its own, cloned from a
// template migrated once per set of migrations, so the whole suite can run in parallel.
//
// The server comes from RECORDROOM_TEST_DATABASE_URL when set, else from the private development
// cluster that scripts/devpg starts. Only databases named recordroom_test_* and recordroom_tpl_*
// are ever created or dropped.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/migrations"
)

// DB is a test's own database.
type DB struct {
	// URL connects to it.
	URL string
	// Name is its name on the server.
	Name string
}

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
)

// flavor is a kind of test database; each gets its own migrated template, made once.
type flavor struct {
	tag    string // in the template's name
	create string // the CREATE DATABASE clause of the template
	once   sync.Once
	name   string
	err    error
}

var (
	plain = &flavor{tag: "plain", create: "TEMPLATE template0"}
	// icu databases compare text by ICU en-US rules (case-insensitive first): any comparison
	// that should be byte-wise but forgot COLLATE "C" orders differently there.
	icu = &flavor{tag: "icu", create: "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"}
)

// ServerURL is a URL of the test server's maintenance database, from which test databases are
// created.
func ServerURL(t testing.TB) string {
	t.Helper()
	serverOnce.Do(func() {
		if u := os.Getenv("RECORDROOM_TEST_DATABASE_URL"); u != "" {
			serverURL = u
			return
		}
		serverURL, serverErr = startDevCluster()
	})
	if serverErr != nil {
		t.Fatalf("testdb: no test database server: %v", serverErr)
	}
	return serverURL
}

// startDevCluster runs scripts/devpg, found relative to this source file.
func startDevCluster() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "devpg")
	out, err := exec.Command(script, "url").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return "", fmt.Errorf("%s url: %w: %s (or set RECORDROOM_TEST_DATABASE_URL)", script, err, stderr)
	}
	return strings.TrimSpace(string(out)), nil
}

// New creates an empty, migrated database for t, dropped when t ends.
func New(t testing.TB) DB {
	t.Helper()
	return fromTemplate(t, plain)
}

// NewICU is New with an ICU en-US default collation; it skips t where the server cannot make
// such databases.
func NewICU(t testing.TB) DB {
	t.Helper()
	return fromTemplate(t, icu)
}

func fromTemplate(t testing.TB, f *flavor) DB {
	t.Helper()
	server := ServerURL(t)
	f.once.Do(func() { f.name, f.err = ensureTemplate(server, f) })
	if f.err != nil {
		if f == icu {
			t.Skipf("testdb: no ICU databases here: %v", f.err)
		}
		t.Fatalf("testdb: template: %v", f.err)
	}
	return create(t, server, "TEMPLATE "+pgx.Identifier{f.name}.Sanitize())
}

// NewEmpty creates an empty, unmigrated database for t, owned by owner when it is not empty,
// dropped when t ends.
func NewEmpty(t testing.TB, owner string) DB {
	t.Helper()
	clause := "TEMPLATE template0"
	if owner != "" {
		clause += " OWNER " + pgx.Identifier{owner}.Sanitize()
	}
	return create(t, ServerURL(t), clause)
}

func create(t testing.TB, server, clause string) DB {
	t.Helper()
	ctx := context.Background()
	name := "recordroom_test_" + randomHex(6)
	if err := execAdmin(ctx, server, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" "+clause); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() {
		// FORCE ends the connections a failed test may have left open.
		err := execAdmin(context.WithoutCancel(ctx), server, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	return DB{URL: WithDatabase(t, server, name), Name: name}
}

// Pool opens a pool on d, closed when t ends.
func (d DB) Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), d.URL)
	if err != nil {
		t.Fatalf("testdb: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// WithDatabase returns rawURL pointing at database name instead.
func WithDatabase(t testing.TB, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("testdb: the test database URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String()
}

// WithUser returns rawURL connecting as user (no password: the test server trusts local users).
func WithUser(t testing.TB, rawURL, user string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("testdb: parse URL: %v", err)
	}
	u.User = url.User(user)
	return u.String()
}

// ensureTemplate creates the migrated template database for the current migrations, once per
// server: its name carries a hash of the migration files, and concurrent test processes take
// turns under an advisory lock.
func ensureTemplate(server string, f *flavor) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	prefix := "recordroom_tpl_" + f.tag + "_"
	name := prefix + hash
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext('recordroom_testdb_template'))"); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for template: %w", err)
	}
	if exists {
		return name, nil
	}
	// Build under a temporary name and rename when done, so a half-migrated template is never
	// cloned.
	building := name + "_building"
	for _, sql := range []string{
		"DROP DATABASE IF EXISTS " + pgx.Identifier{building}.Sanitize() + " WITH (FORCE)",
		"CREATE DATABASE " + pgx.Identifier{building}.Sanitize() + " " + f.create,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return "", fmt.Errorf("create template: %w", err)
		}
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	m, err := db.NewMigrator(u.String())
	if err != nil {
		return "", err
	}
	_, err = m.Up(ctx)
	m.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	dropStaleTemplates(ctx, conn, prefix, name)
	return name, nil
}

// dropStaleTemplates removes templates of earlier migration sets; failures only cost disk.
func dropStaleTemplates(ctx context.Context, conn *pgx.Conn, prefix, keep string) {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2", prefix, keep)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}

// MigrationCount is how many migrations the binary holds: what an empty database gets applied.
func MigrationCount(t testing.TB) int {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func execAdmin(ctx context.Context, server, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
