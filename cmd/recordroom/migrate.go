package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/recordroom/recordroom/db"
)

func migrateCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) != 1 {
		return errors.New("usage: recordroom migrate up|down|status")
	}
	// goose's session lock needs a real session: the direct URL when DATABASE_URL is pooled.
	url := cmp.Or(getenv("RECORDROOM_LISTEN_DATABASE_URL"), getenv("DATABASE_URL"))
	if url == "" {
		return errors.New("DATABASE_URL is not set: set it to a postgres:// URL")
	}
	m, err := db.NewMigrator(url)
	if err != nil {
		return err
	}
	defer m.Close()
	switch args[0] {
	case "up":
		n, err := m.Up(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	case "down":
		if err := m.Down(ctx); err != nil {
			return err
		}
	case "status":
		return m.WriteStatus(ctx, stdout)
	default:
		return fmt.Errorf("unknown migrate command %q: want up, down or status", args[0])
	}
	v, err := m.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database at version %d\n", v)
	return nil
}
