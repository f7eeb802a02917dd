package client

import (
	"bytes"
	"encoding/json"
	"math/big"
)

// decodeJSON decodes a JSON value keeping numbers exact (json.Number), as the server compares
// them: 99999999999999999999 and 99999999999999999998 differ.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// The kinds of value in the server's sort order (docs/query-language.md, orderBy): a missing
// field first, then null, numbers, strings, booleans, arrays, objects.
const (
	rankMissing = iota
	rankNull
	rankNumber
	rankString
	rankBool
	rankArray
	rankObject
)

func rankOf(v any, present bool) int {
	if !present {
		return rankMissing
	}
	switch v.(type) {
	case nil:
		return rankNull
	case json.Number:
		return rankNumber
	case string:
		return rankString
	case bool:
		return rankBool
	case []any:
		return rankArray
	}
	return rankObject
}

// number reads a JSON number exactly; a number that does not parse (never valid JSON) reads 0.
func number(n json.Number) *big.Rat {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// jsonEqual is the server's equality: numbers by value, objects whatever their key order,
// arrays element by element.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && number(x).Cmp(number(y)) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	return a == b // nil, string, bool
}

// lookup walks a data path: each segment is an object key, never an array index.
func lookup(data any, path []string) (any, bool) {
	cur := data
	for _, seg := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}
