package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/recordroom/recordroom/db"
)

// reportingCmd runs `recordroom reporting grant ROLE`.
func reportingCmd(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) != 2 || args[0] != "grant" || args[1] == "" {
		return errors.New("usage: recordroom reporting grant ROLE")
	}
	url := getenv("DATABASE_URL")
	if url == "" {
		return errors.New("DATABASE_URL is not set: set it to a postgres:// URL")
	}
	database, err := db.Open(ctx, url, db.Options{MaxConns: 1})
	if err != nil {
		return err
	}
	defer database.Close()
	role := args[1]
	if err := database.ReportingGrant(ctx, role); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "role %q may read the reporting views (reporting.records, .users, .teams, .team_members, .files)\n", role)
	return nil
}
