package schema

import (
	"encoding/json"
	"fmt"
)

// Limits on a new schema (CheckSize): the record service refuses more in SetSchema and in
// RECORDROOM_SCHEMA. Parse itself accepts up to the limits in parse.go and spec.go, so that a
// schema stored before these bounds still loads; it is weighed by Bytes like any other.
const (
	// MaxDocumentBytes: the largest schema seen in use is a few KB; 256 KiB is room for a
	// hundred collections of a hundred fields each, with long descriptions.
	MaxDocumentBytes = 256 << 10
	// MaxNewCollections: a room is one app's data; 256 kinds of record is far beyond one.
	MaxNewCollections = 256
	// MaxMemoryBytes bounds what a parsed schema keeps (Bytes), so that a cache of 64 MiB
	// (records.DefaultSchemaCacheBytes) always holds eight of the largest.
	MaxMemoryBytes = 8 << 20
)

// What a parsed schema keeps in memory, by what the document declares. The document's size says
// little: each subschema compiles to a jsonschema.Schema of 760 bytes whatever its text (`{}`
// is two bytes), keeps its whole JSON pointer twice (once escaped, in its Location), and decoded
// values such as enums cost several times their text. The figures are rounded up from
// measurements (size_test.go checks that Bytes is never below what Parse keeps, nor far above).
const (
	schemaBytes     = 256  // the Schema and its collections map
	collectionBytes = 256  // a Collection and its entry in the map
	fieldBytes      = 96   // a declared field in Collection.fields and the compiled properties
	subschemaBytes  = 1024 // a compiled jsonschema.Schema and its small allocations
	pointerByteCost = 3    // per byte of a subschema's JSON pointer: the pointer and its Location
	objectBytes     = 320  // a Go map with its first group of slots
	memberBytes     = 64   // a map slot beyond that (key and value headers, growth slack)
	sliceBytes      = 24   // a slice header
	pointerBytes    = 8    // an element of a []*jsonschema.Schema
	elementBytes    = 16   // an element of a []any
	scalarBytes     = 16   // a boxed string or json.Number header
	ratBytes        = 96   // a big.Rat a numeric keyword becomes (plus its digits)
	regexpBytes     = 1024 // a compiled regexp.Regexp
	regexpInstBytes = 64   // each of its RE2 instructions
)

// ratKeywords become big.Rat when compiled.
var ratKeywords = set("multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum")

// Bytes estimates the memory the parsed schema keeps, its document included: the weight a cache
// of parsed schemas counts it at. It is an upper bound, within about twice the truth.
func (s *Schema) Bytes() int { return s.bytes }

// CheckSize refuses a schema larger than a new one may be (the limits above). The error is an
// *Error; its path is "collections" when there are too many of them.
func (s *Schema) CheckSize() error {
	if err := CheckDocumentSize(len(s.raw)); err != nil {
		return err
	}
	switch {
	case len(s.collections) > MaxNewCollections:
		return errorf("collections", "has %d collections, at most %d are allowed", len(s.collections), MaxNewCollections)
	case s.bytes > MaxMemoryBytes:
		return &Error{Message: fmt.Sprintf("compiled, the schema would take about %.1f MiB of server memory, at most %d MiB are allowed: "+
			"use fewer fields and subschemas, shorter enums and examples, or simpler patterns", float64(s.bytes)/(1<<20), MaxMemoryBytes>>20)}
	}
	return nil
}

// CheckDocumentSize refuses a new document of n bytes over MaxDocumentBytes, before it is
// parsed: parsing up to the body limit takes up to half a second.
func CheckDocumentSize(n int) error {
	if n > MaxDocumentBytes {
		return &Error{Message: fmt.Sprintf("the document is %d bytes, at most %d (256 KiB) are allowed", n, MaxDocumentBytes)}
	}
	return nil
}

// countSubschema weighs one compiled subschema whose JSON pointer is ptr bytes long.
func (b *budget) countSubschema(ptr int) {
	b.bytes += subschemaBytes + b.location + pointerByteCost*ptr
}

// valueSize estimates what a decoded keyword value keeps once compiled (enum, const, default,
// examples and annotations are kept as decoded).
func valueSize(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := objectBytes
		for k, e := range v {
			n += memberBytes + len(k) + valueSize(e)
		}
		return n
	case []any:
		n := sliceBytes
		for _, e := range v {
			n += elementBytes + valueSize(e)
		}
		return n
	case string:
		return scalarBytes + roundUp(len(v))
	case json.Number:
		return scalarBytes + roundUp(len(v))
	}
	return 0 // booleans and null are not allocated
}

func roundUp(n int) int { return (n + 7) &^ 7 }
