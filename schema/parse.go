// Package schema holds a room's collection schemas (PROTOCOL.md §2): it parses and checks the
// schema document, compiles each collection's field specs as one JSON Schema (draft 2020-12,
// santhosh-tekuri/jsonschema), validates record data against it and gives each collection's
// access levels. docs/schemas.md records the decisions.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/recordroom/recordroom/access"
)

// Limits on a schema document, beyond the caller's limit on its size.
const (
	MaxCollections  = 1000 // collections in one schema
	MaxFields       = 1000 // declared fields in one collection
	MaxSpecDepth    = 64   // JSON nesting levels within one field spec
	MaxFieldNameLen = 128  // bytes in a declared field name
)

// Schema is a parsed room schema: open mode (Open) or a document (Parse). It is immutable and
// safe for concurrent use. The zero value is not used; see Open and Parse.
type Schema struct {
	open        bool
	raw         json.RawMessage
	collections map[string]*Collection
	bytes       int // estimated memory kept (size.go)
}

// Collection is what a schema says about one collection.
type Collection struct {
	Name        string
	Read, Write access.Level

	fields    []string           // declared fields, sorted
	validator *jsonschema.Schema // nil: any JSON object is valid
}

// ChecksFields reports whether Validate checks anything: without field checks any JSON object
// is valid data.
func (c *Collection) ChecksFields() bool { return c != nil && c.validator != nil }

// Open is open mode: any valid collection name, read member, write member, no field checks.
func Open() *Schema { return &Schema{open: true, bytes: schemaBytes} }

// Raw is the document as given to Parse, for GET /schema. Open mode has no document: Raw is
// nil, which encoding/json writes as `null` (the same `null` that stands for "no schema" in
// storage). The result must not be modified.
func (s *Schema) Raw() json.RawMessage { return s.raw }

// Collection returns the rules of a collection: in open mode any name passing
// ValidCollectionName, with member/member access and no field checks; with a schema only the
// collections it declares (ok=false: the API answers unknown_collection).
func (s *Schema) Collection(name string) (*Collection, bool) {
	if s.open {
		if !ValidCollectionName(name) {
			return nil, false
		}
		return &Collection{Name: name, Read: access.LevelMember, Write: access.LevelMember}, true
	}
	c, ok := s.collections[name]
	return c, ok
}

// ValidCollectionName reports whether name is 1–64 characters of [A-Za-z0-9_-]. Names starting
// with `$` are reserved for system collections, and `$` is not in the set anyway.
func ValidCollectionName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validFieldName checks a declared field's name: it must be addressable by the where-language's
// dotted paths (no `.`), must not look like one of its operators (`$and`, `$eq`), and is kept
// printable and short.
func validFieldName(name string) string {
	switch {
	case name == "":
		return "field names must not be empty"
	case len(name) > MaxFieldNameLen:
		return "field names are at most 128 bytes"
	case !utf8.ValidString(name):
		return "field names must be valid UTF-8"
	case strings.HasPrefix(name, "$"):
		return "field names must not start with $"
	case strings.Contains(name, "."):
		return "field names must not contain '.' (dots separate the parts of a field path)"
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "field names must not contain control characters"
	}
	return ""
}

// Parse parses and checks a schema document (PROTOCOL.md §2, docs/schemas.md). Every problem is an
// *Error naming its path, e.g. `collections.tasks.fields.title.maxLength: ...`; the first one
// found, in sorted key order, is returned.
func Parse(raw []byte) (*Schema, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &Error{Message: "is empty: want a JSON object with \"collections\""}
	}
	doc, err := decode(raw)
	if err != nil {
		return nil, &Error{Message: "not valid JSON: " + err.Error()}
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, &Error{Message: `must be a JSON object with "collections"`}
	}
	for _, k := range sortedKeys(top) {
		if k != "collections" {
			return nil, errorf(clip(k), `unknown key: a schema has only "collections"`)
		}
	}
	colls, ok := top["collections"]
	if !ok {
		return nil, errorf("collections", "is required")
	}
	cm, ok := colls.(map[string]any)
	if !ok {
		return nil, errorf("collections", "must be an object of collection name to rules")
	}
	if len(cm) > MaxCollections {
		return nil, errorf("collections", "has %d collections, at most %d are allowed", len(cm), MaxCollections)
	}
	s := &Schema{raw: bytes.Clone(raw), collections: make(map[string]*Collection, len(cm))}
	b := budget{bytes: schemaBytes + len(raw)}
	for _, name := range sortedKeys(cm) {
		path := "collections." + clip(name)
		if !ValidCollectionName(name) {
			return nil, errorf(path, "invalid collection name: 1–64 characters of A-Z a-z 0-9 _ -")
		}
		c, err := parseCollection(name, path, cm[name], &b)
		if err != nil {
			return nil, err
		}
		s.collections[name] = c
	}
	s.bytes = b.bytes
	return s, nil
}

func parseCollection(name, path string, v any, b *budget) (*Collection, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(path, "must be an object with fields, additionalFields and access")
	}
	c := &Collection{Name: name, Read: access.LevelMember, Write: access.LevelMember}
	b.collectionSubschemas = 0
	b.bytes += collectionBytes + 2*len(name)
	b.location = len(collectionLocation(name)) + 1 // and '#'
	additional := true
	for _, k := range sortedKeys(obj) {
		switch k {
		case "fields":
		case "additionalFields":
			b, ok := obj[k].(bool)
			if !ok {
				return nil, errorf(path+".additionalFields", "must be true or false")
			}
			additional = b
		case "access":
			if err := parseAccess(c, path+".access", obj[k]); err != nil {
				return nil, err
			}
		default:
			return nil, errorf(path+"."+clip(k), "unknown key: a collection has fields, additionalFields and access")
		}
	}
	var fields map[string]any
	if v, ok := obj["fields"]; ok {
		if fields, ok = v.(map[string]any); !ok {
			return nil, errorf(path+".fields", "must be an object of field name to JSON Schema")
		}
	}
	if len(fields) > MaxFields {
		return nil, errorf(path+".fields", "has %d fields, at most %d are allowed", len(fields), MaxFields)
	}
	if len(fields) == 0 && additional {
		return c, nil // any object: nothing to compile
	}
	props := make(map[string]any, len(fields))
	var required []any
	b.countSubschema(0) // the collection's own object schema
	b.bytes += objectBytes
	for _, f := range sortedKeys(fields) {
		fpath := path + ".fields." + clip(f)
		if msg := validFieldName(f); msg != "" {
			return nil, errorf(fpath, "%s", msg)
		}
		b.bytes += fieldBytes + 2*len(f) // in c.fields and in the compiled properties
		spec, req, err := prepareSpec(fpath, len("/properties/")+len(f), fields[f], b)
		if err != nil {
			return nil, err
		}
		props[f] = spec
		if req {
			required = append(required, f)
		}
		c.fields = append(c.fields, f)
	}
	doc := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		doc["required"] = required
	}
	if !additional {
		doc["additionalProperties"] = false
	}
	sch, err := compile(name, path, doc)
	if err != nil {
		return nil, err
	}
	c.validator = sch
	return c, nil
}

func parseAccess(c *Collection, path string, v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return errorf(path, "must be an object with read and write")
	}
	for _, k := range sortedKeys(obj) {
		s, isString := obj[k].(string)
		var err error
		switch k {
		case "read":
			if !isString {
				return errorf(path+".read", "must be a string: viewer, member, admin or owner")
			}
			c.Read, err = access.ParseReadLevel(s)
		case "write":
			if !isString {
				return errorf(path+".write", "must be a string: member, admin or owner")
			}
			c.Write, err = access.ParseWriteLevel(s)
		default:
			return errorf(path+"."+clip(k), "unknown key: access has read and write")
		}
		if err != nil {
			return errorf(path+"."+k, "%v", err)
		}
	}
	return nil
}

// decode reads exactly one JSON value, numbers as json.Number so that no precision is lost
// between the document and the compiled keywords.
func decode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the document")
	}
	return v, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
