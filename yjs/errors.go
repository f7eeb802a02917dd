package yjs

import (
	"errors"
	"fmt"
)

// ErrMalformed is matched (errors.Is) by every error about input that does
// not follow the format. The concrete error is a *MalformedError.
var ErrMalformed = errors.New("yjs: malformed input")

// ErrTooLarge is matched (errors.Is) by every error about input over one of
// the Limits. The concrete error is a *LimitError naming the limit.
var ErrTooLarge = errors.New("yjs: input over a limit")

// MalformedError says why and where input was refused.
type MalformedError struct {
	Reason string // short, e.g. "unexpected end of input"
	Offset int    // byte offset in the input where decoding stopped
}

// Error implements error.
func (e *MalformedError) Error() string {
	return fmt.Sprintf("yjs: malformed input: %s at byte %d", e.Reason, e.Offset)
}

// Is makes errors.Is(err, ErrMalformed) true.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// LimitError says which limit the input went over, so callers can tell the
// client which one (and map it to "too_large").
type LimitError struct {
	Limit string // the Limits field, e.g. "MaxUpdateBytes"
	Max   int    // the limit in force
}

// Error implements error.
func (e *LimitError) Error() string {
	return fmt.Sprintf("yjs: input over %s (%d)", e.Limit, e.Max)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

func malformed(reason string, offset int) error {
	return &MalformedError{Reason: reason, Offset: offset}
}

func tooLarge(limit string, max int) error {
	return &LimitError{Limit: limit, Max: max}
}
