package schema

import "fmt"

// Error is a problem in a schema document. Path names where it is, as dotted keys from the
// document's root (`collections.tasks.fields.title.maxLength`); it is empty when the document as
// a whole is wrong (not JSON, not an object).
type Error struct {
	Path    string
	Message string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// FieldError is one way record data fails its collection's schema. Path is dotted and relative
// to the data (`title`, `tags.2`, `meta.x`), like the field paths of the where-language; Message
// says what is wrong with the value there.
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Message: fmt.Sprintf(format, args...)}
}

// clip keeps user-supplied names in messages short.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && s[i]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		i--
	}
	return s[:i] + "…"
}
