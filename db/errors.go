package db

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Postgres error codes (SQLSTATE) that callers act on.
const (
	codeUniqueViolation     = "23505"
	codeCheckViolation      = "23514"
	codeForeignKeyViolation = "23503"
	codeNotNullViolation    = "23502"
	codeSerializationFailed = "40001"
)

// translate maps driver errors to the package's sentinel errors, keeping the original in the
// chain for logs; anything else is wrapped with what was being done.
func translate(err error, doing string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeUniqueViolation, codeSerializationFailed:
			return fmt.Errorf("%s: %w: %w", doing, ErrConflict, err)
		case codeCheckViolation, codeForeignKeyViolation, codeNotNullViolation:
			return fmt.Errorf("%s: %w: %w", doing, ErrInvalid, err)
		}
		// Class 22, data exceptions: a value Postgres cannot store, such as a number beyond
		// numeric's range or a \u0000 in jsonb text.
		if strings.HasPrefix(pgErr.Code, "22") {
			return fmt.Errorf("%s: %w: %s", doing, ErrInvalid, pgErr.Message)
		}
	}
	return fmt.Errorf("%s: %w", doing, err)
}
