package filter

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits against hostile input. A where-object or orderBy that passes one is refused with an
// *Error naming where it did.
const (
	// MaxInputBytes bounds the raw JSON of a where-object or an orderBy.
	MaxInputBytes = 64 << 10
	// MaxJSONDepth bounds the nesting of arrays and objects anywhere in the input. It is checked
	// while decoding, so a 5000-deep input is refused after reading 101 brackets.
	MaxJSONDepth = 100
	// MaxLogicalDepth bounds the nesting of $and, $or and $not.
	MaxLogicalDepth = 32
	// MaxConditions bounds the conditions of one where-object: every operator applied to a field
	// (a plain value counts as one $eq) and every $and, $or and $not.
	MaxConditions = 256
	// MaxInValues bounds the array of one $in or $nin.
	MaxInValues = 1000
	// MaxPathSegments bounds the dotted segments of a field path.
	MaxPathSegments = 16
	// MaxPathBytes bounds the length of a field path.
	MaxPathBytes = 256
	// MaxOrderKeys bounds the keys of an orderBy (the id tiebreak is not counted).
	MaxOrderKeys = 3
)

// Error is a parse error naming the offending path, e.g. Path "where.status.$gt" or
// "orderBy[1].dir" or "after".
type Error struct{ Path, Message string }

// Error renders "path: message".
func (e *Error) Error() string { return e.Path + ": " + e.Message }

var _ error = (*Error)(nil)

// path is where a JSON value sits in the input, as a linked list so that building it costs
// nothing until an error is rendered.
type path struct {
	parent *path
	key    string // object key; the root's name at the root
	index  int    // array index when isIndex
	isIdx  bool
}

func rootPath(name string) *path { return &path{key: name} }

func (p *path) field(k string) *path { return &path{parent: p, key: k} }

func (p *path) elem(i int) *path { return &path{parent: p, index: i, isIdx: true} }

func (p *path) String() string {
	var parts []string
	for q := p; q != nil; q = q.parent {
		parts = append(parts, q.segment())
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return b.String()
}

// maxKeyInPath shortens long keys in error paths; the message stays readable and bounded.
const maxKeyInPath = 64

func (p *path) segment() string {
	switch {
	case p.isIdx:
		return "[" + strconv.Itoa(p.index) + "]"
	case p.parent == nil:
		return p.key
	case plainKey(p.key):
		return "." + p.key
	default:
		k := p.key
		if len(k) > maxKeyInPath {
			cut := maxKeyInPath
			for cut > 0 && !utf8.RuneStart(k[cut]) {
				cut--
			}
			k = k[:cut] + "…"
		}
		b, _ := json.Marshal(k)
		return "[" + string(b) + "]"
	}
}

// plainKey reports whether k reads unambiguously after a dot in an error path.
func plainKey(k string) bool {
	if k == "" || len(k) > maxKeyInPath {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func errorf(at *path, format string, args ...any) *Error {
	return &Error{Path: at.String(), Message: fmt.Sprintf(format, args...)}
}
