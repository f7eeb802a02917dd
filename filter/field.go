package filter

import (
	"strings"

	"github.com/recordroom/recordroom/protocol"
)

// fieldKind tells a path into data from the reserved fields.
type fieldKind uint8

const (
	fieldData fieldKind = iota
	fieldID
	fieldUserID
	fieldCreatedAt
	fieldUpdatedAt
)

var reservedFields = map[string]fieldKind{
	"id":        fieldID,
	"userId":    fieldUserID,
	"createdAt": fieldCreatedAt,
	"updatedAt": fieldUpdatedAt,
}

// field is what a where-key or an orderBy field names.
type field struct {
	kind fieldKind
	name string   // as written
	path []string // the segments of a data path
}

// sqlTimeFormat renders a timestamptz the way protocol.TimeLayout renders a time.Time (to the
// column's microsecond): where-objects compare createdAt and updatedAt as records show them.
const sqlTimeFormat = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`

// parseField reads a field name: a reserved field, or a dotted path of non-empty object keys.
func parseField(name string, at *path) (field, error) {
	if k, ok := reservedFields[name]; ok {
		return field{kind: k, name: name}, nil
	}
	switch {
	case name == "":
		return field{}, errorf(at, "empty field name")
	case strings.HasPrefix(name, "$"):
		return field{}, errorf(at, "a field name may not start with $")
	case len(name) > MaxPathBytes:
		return field{}, errorf(at, "field path longer than %d bytes", MaxPathBytes)
	}
	segs := strings.Split(name, ".")
	if len(segs) > MaxPathSegments {
		return field{}, errorf(at, "field path has more than %d segments", MaxPathSegments)
	}
	for _, s := range segs {
		if s == "" {
			return field{}, errorf(at, "empty segment in field path %q (each dot separates two object keys)", name)
		}
	}
	return field{kind: fieldData, name: name, path: segs}, nil
}

// get returns the field's value in d and whether it is present. Reserved fields are strings that
// are always present; a data path walks object keys only (a segment is never an array index).
func (f field) get(d Doc) (any, bool) {
	switch f.kind {
	case fieldID:
		return d.ID, true
	case fieldUserID:
		return d.UserID, true
	case fieldCreatedAt:
		return protocol.FormatTime(d.CreatedAt), true
	case fieldUpdatedAt:
		return protocol.FormatTime(d.UpdatedAt), true
	}
	var cur any = d.Data
	for _, seg := range f.path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// column is the SQL column of a reserved field.
func (f field) column() string {
	switch f.kind {
	case fieldID:
		return "id"
	case fieldUserID:
		return "user_id"
	case fieldCreatedAt:
		return "created_at"
	case fieldUpdatedAt:
		return "updated_at"
	}
	return ""
}

// textSQL is a reserved field as the text a where-object compares with.
func (f field) textSQL() string {
	switch f.kind {
	case fieldCreatedAt, fieldUpdatedAt:
		return "to_char(" + f.column() + " AT TIME ZONE 'UTC', " + sqlTimeFormat + ")"
	}
	return f.column()
}

// hashArrowSafe reports whether data #> path walks only object keys. #> takes a segment that
// strtol reads whole ("0", " 1", "-2") as an index when it meets an array, so any segment after
// the first that could start such a number is reached with -> instead (which only reads object
// keys). The test is conservative: whitespace, signs, digits and non-ASCII bytes all count.
func hashArrowSafe(segs []string) bool {
	for _, s := range segs[1:] {
		c := s[0]
		if c >= '0' && c <= '9' || c == '+' || c == '-' || c == ' ' || (c >= '\t' && c <= '\r') || c >= 0x80 {
			return false
		}
	}
	return true
}
