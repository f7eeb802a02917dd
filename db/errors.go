package db

import (
	"errors"
	"fmt"
	"io"
	"net"
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
	codeQueryCanceled       = "57014" // statement_timeout, or a cancel request
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
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", doing, ErrUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeUniqueViolation, codeSerializationFailed:
			return fmt.Errorf("%s: %w: %w", doing, ErrConflict, err)
		case codeCheckViolation, codeForeignKeyViolation, codeNotNullViolation:
			return fmt.Errorf("%s: %w: %w", doing, ErrInvalid, err)
		case codeQueryCanceled:
			return fmt.Errorf("%s: %w: %w", doing, ErrTimeout, err)
		}
		// Class 22, data exceptions: a value Postgres cannot store, such as a number beyond
		// numeric's range or a \u0000 in jsonb text.
		if strings.HasPrefix(pgErr.Code, "22") {
			return fmt.Errorf("%s: %w: %s", doing, ErrInvalid, pgErr.Message)
		}
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// unreachable tells errors that mean the database is down or going away from errors of the
// statement itself: clients get 503 for these and may retry.
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exceptions; 57P01-57P03: shutting down, crashed, starting up.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return false
}

// affected reads the outcome of a statement that must change a row: ErrNotFound when it
// changed none.
func affected(n int64, err error, doing string) error {
	if err != nil {
		return translate(err, doing)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
