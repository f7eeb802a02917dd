package protocol

import (
	"errors"
	"fmt"
)

// Code is a machine-readable error code (PROTOCOL.md §5), the same on REST and WebSocket.
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

// Codes lists every code of the contract, in the order of PROTOCOL.md §5.
var Codes = []Code{BadRequest, Unauthorized, Forbidden, NotFound, UnknownCollection, Conflict,
	TooLarge, Invalid, Limit, Internal, Unavailable}

// Error is an error a client may see: a code, a message that says what was wrong, and for
// `invalid` the failing field paths. REST sends it as {"error": Error}, the WebSocket inside an
// ErrorMessage.
type Error struct {
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
	// RetryAfterMs comes with a rate limit's limit: when the same request would be allowed
	// (REST also sends Retry-After). Other limit errors have none: retrying does not help.
	RetryAfterMs int64 `json:"retryAfterMs,omitempty"`
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

// unavailable is the behaviour a lower layer's error shows to say "a dependency cannot be
// reached now; the same request may succeed later" (db.ErrUnavailable does), so that layer needs
// no import of this package and every transport still answers `unavailable`.
type unavailable interface {
	Unavailable() bool
}

// ErrorOf is the one translation of any error a service returns into what a client sees, used by
// REST and WebSocket alike: the *Error in err's chain; else `unavailable` when an error in the
// chain says it is unavailable; else `internal`, whose cause is the server's log's business and
// never shown to clients.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var u unavailable
	if errors.As(err, &u) && u.Unavailable() {
		return &Error{Code: Unavailable, Message: "a service the server needs is unreachable: retry shortly"}
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
