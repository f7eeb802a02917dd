package filter

import (
	"slices"
	"strconv"
	"strings"
)

// Equality is a constraint every document matching a where-object satisfies: its value at Field
// equals (Equal) one of a few values. The live-query engine indexes queries by it, so that a
// changed record is matched only against the queries it could match.
type Equality struct {
	Field string   // as written: a data path or a reserved field
	Keys  []string // the values' Keys, sorted, without duplicates
	f     field
}

// Equalities lists the where-object's equality constraints: a plain value, $eq or $in on a field,
// wherever all of the where-object must hold (at top level and inside $and). Conditions under
// $or or $not constrain nothing here.
func (w *Where) Equalities() []Equality {
	if w == nil || w.root == nil {
		return nil
	}
	var out []Equality
	collectEqualities(w.root, &out)
	return out
}

func collectEqualities(n node, out *[]Equality) {
	switch x := n.(type) {
	case andNode:
		for _, c := range x {
			collectEqualities(c, out)
		}
	case cond:
		var vals []value
		switch x.op {
		case opEq:
			vals = []value{x.val}
		case opIn:
			vals = x.vals
		default:
			return
		}
		e := Equality{Field: x.f.name, f: x.f}
		for _, v := range vals {
			if k, ok := Key(v.v); ok {
				e.Keys = append(e.Keys, k)
			}
		}
		slices.Sort(e.Keys)
		e.Keys = slices.Compact(e.Keys)
		*out = append(*out, e)
	}
}

// KeyOf returns the Key of d's value at the constraint's field; false when the field is missing
// (then no equality holds).
func (e Equality) KeyOf(d Doc) (string, bool) {
	v, ok := e.f.get(d)
	if !ok {
		return "", false
	}
	return Key(v)
}

// Key renders a decoded JSON value so that two values have the same key exactly when Equal says
// they are equal: numbers by value (1, 1.0 and 10e-1 share one), objects whatever their key
// order. ok is false for a value that is no JSON value (it equals nothing).
func Key(v any) (string, bool) {
	var b strings.Builder
	if !writeKey(&b, v) {
		return "", false
	}
	return b.String(), true
}

// writeKey writes a type letter, then the value; nested strings are length-prefixed, so no
// choice of strings makes two different values share a key.
func writeKey(b *strings.Builder, v any) bool {
	switch x := v.(type) {
	case nil:
		b.WriteByte('n')
	case bool:
		if x {
			b.WriteByte('t')
		} else {
			b.WriteByte('f')
		}
	case string:
		b.WriteByte('s')
		writeLen(b, x)
	case []any:
		b.WriteByte('[')
		for _, e := range x {
			if !writeKey(b, e) {
				return false
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for _, k := range keys {
			writeLen(b, k)
			if !writeKey(b, x[k]) {
				return false
			}
		}
		b.WriteByte('}')
	default:
		d, ok := toDecimal(v)
		if !ok {
			return false
		}
		b.WriteByte('d')
		writeLen(b, d.String())
	}
	return true
}

func writeLen(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}
