package client

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/recordroom/recordroom/protocol"
)

// The server's error codes (PROTOCOL.md §5), the protocol's codes as strings. They arrive in
// *Error.Code from REST and WebSocket alike.
const (
	CodeBadRequest        = string(protocol.BadRequest)
	CodeUnauthorized      = string(protocol.Unauthorized)
	CodeForbidden         = string(protocol.Forbidden)
	CodeNotFound          = string(protocol.NotFound)
	CodeUnknownCollection = string(protocol.UnknownCollection)
	CodeConflict          = string(protocol.Conflict)
	CodeTooLarge          = string(protocol.TooLarge)
	CodeInvalid           = string(protocol.Invalid)
	CodeLimit             = string(protocol.Limit)
	CodeInternal          = string(protocol.Internal)
	CodeUnavailable       = string(protocol.Unavailable)
)

// Sentinels for errors.Is: errors.Is(err, client.ErrConflict) holds for every *Error whose Code
// is "conflict", whatever its message. IsCode does the same with a code string.
var (
	ErrBadRequest        = &Error{Code: CodeBadRequest}
	ErrUnauthorized      = &Error{Code: CodeUnauthorized}
	ErrForbidden         = &Error{Code: CodeForbidden}
	ErrNotFound          = &Error{Code: CodeNotFound}
	ErrUnknownCollection = &Error{Code: CodeUnknownCollection}
	ErrConflict          = &Error{Code: CodeConflict}
	ErrTooLarge          = &Error{Code: CodeTooLarge}
	ErrInvalid           = &Error{Code: CodeInvalid}
	ErrLimit             = &Error{Code: CodeLimit}
	ErrInternal          = &Error{Code: CodeInternal}
	ErrUnavailable       = &Error{Code: CodeUnavailable}
)

// Error is an error the server answered, over REST or WebSocket, in the contract's shape.
type Error struct {
	// Code is machine-readable: one of the Code* constants.
	Code string `json:"code"`
	// Message says what was wrong, for people.
	Message string `json:"message"`
	// Details lists each failing field of an "invalid" error.
	Details []ErrorDetail `json:"details,omitempty"`
	// HTTPStatus is the REST response's status; 0 for WebSocket errors.
	HTTPStatus int `json:"-"`
	// RetryAfterMs comes with a rate limit's "limit": when the same request would be allowed.
	// The client sends a mutation refused so again by itself; REST callers decide.
	RetryAfterMs int64 `json:"retryAfterMs,omitempty"`
}

// ErrorDetail names one failing field of an "invalid" error.
type ErrorDetail = protocol.Detail

// Error renders "code: message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is makes the code sentinels (ErrConflict, ...) match any *Error with their code. Only a
// sentinel, an *Error without a message, matches this way; two full errors are never "the same".
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Details == nil && t.Code == e.Code
}

// IsCode reports whether err, or an error it wraps, is an *Error with that code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// ErrClosed is the error of every call on a client, subscription or mutation after Close.
var ErrClosed = errors.New("client: closed")

// ErrRemoved is why a client closed by itself when an admin removed its user from the room
// (close code 4003). It wraps a *CloseError; the client does not reconnect, since a removed user
// who connects again would join the room afresh.
var ErrRemoved = errors.New("client: removed from the room")

// ErrQueueFull is returned at once by a mutation when Options.MaxPending mutations are already
// waiting for their answer.
var ErrQueueFull = errors.New("client: mutation queue full")

// CloseError is how the server closed a WebSocket (PROTOCOL.md §4 close codes): 4001 token
// expired, 4003 removed from the room, 4008 too slow, 1009 frame too big, 1011 internal error,
// 1012 server restarting; 1006 means the connection dropped without a close frame.
type CloseError struct {
	Code int
	Text string
}

// Error renders the close code and text.
func (e *CloseError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("connection closed (%d)", e.Code)
	}
	return fmt.Sprintf("connection closed (%d %s)", e.Code, e.Text)
}

// Close codes the client treats specially.
const (
	CloseTokenExpired = protocol.CloseTokenExpired
	CloseRemoved      = protocol.CloseRemoved
	CloseTooSlow      = protocol.CloseTooSlow
)

// MutationError is a failed create, put or remove: which one, and the server's error (an *Error)
// or the client's (ErrClosed, ErrRemoved).
type MutationError struct {
	Op         string // "create", "put" or "remove"
	Collection string
	ID         string
	Err        error
}

// Error renders "op collection/id: err".
func (e *MutationError) Error() string {
	return fmt.Sprintf("%s %s/%s: %v", e.Op, e.Collection, e.ID, e.Err)
}

// Unwrap gives the cause, for errors.Is and errors.As.
func (e *MutationError) Unwrap() error { return e.Err }

// statusCodes maps an HTTP status to the contract's code, for answers that do not carry the
// JSON error shape (a proxy's 502, say).
var statusCodes = map[int]string{
	http.StatusBadRequest:            CodeBadRequest,
	http.StatusUnauthorized:          CodeUnauthorized,
	http.StatusForbidden:             CodeForbidden,
	http.StatusNotFound:              CodeNotFound,
	http.StatusConflict:              CodeConflict,
	http.StatusRequestEntityTooLarge: CodeTooLarge,
	http.StatusUnprocessableEntity:   CodeInvalid,
	http.StatusTooManyRequests:       CodeLimit,
}

func codeForStatus(status int) string {
	if c, ok := statusCodes[status]; ok {
		return c
	}
	if status >= 500 && status != http.StatusInternalServerError {
		return CodeUnavailable
	}
	return CodeInternal
}
