// Package errcode holds the error codes of PROTOCOL.md §5, shared by every service and both
// transports: REST maps them to HTTP statuses, the WebSocket sends them in error messages.
package errcode

import (
	"errors"
	"fmt"
)

// Code is a machine-readable error code.
type Code string

// The codes of the contract.
const (
	BadRequest        Code = "bad_request"
	Unauthorized      Code = "unauthorized"
	Forbidden         Code = "forbidden"
	NotFound          Code = "not_found"
	UnknownCollection Code = "unknown_collection"
	Conflict          Code = "conflict"
	TooLarge          Code = "too_large"
	Invalid           Code = "invalid"
	Limit             Code = "limit"
	Internal          Code = "internal"
	Unavailable       Code = "unavailable"
)

// Error is an error a client may see: a code, a message that says what was wrong, and for
// `invalid` the failing field paths.
type Error struct {
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
}

// Detail names one failing field.
type Detail struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New makes an error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// As finds the client-facing error in err's chain; anything else is internal, and its text is
// not shown to clients.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error"}
}

// Clip shortens client input quoted back in a message, so an error never echoes a megabyte.
func Clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
