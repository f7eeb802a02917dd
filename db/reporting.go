package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// ReportingGrant lets an existing role read the reporting views (docs/reporting.md), and nothing
// else. Granting twice is harmless.
func (s Store) ReportingGrant(ctx context.Context, role string) error {
	err := s.q.ReportingGrant(ctx, role)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "42704": // undefined_object
			return fmt.Errorf("role %q does not exist: create it first (docs/reporting.md)", role)
		case "3F000", "42883": // invalid_schema_name, undefined_function
			return errors.New("the reporting views are missing: run `recordroom migrate up` first")
		}
	}
	return translate(err, "grant reporting access")
}
