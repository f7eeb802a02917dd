package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// jkind is the type of a decoded JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jnode is a decoded JSON value that keeps the order of object keys, so that the first offending
// key in document order is the one an error names, every time.
type jnode struct {
	kind  jkind
	b     bool
	str   string   // a string, or a number's text
	keys  []string // an object's keys, in order
	elems []*jnode // an object's values (parallel to keys) or an array's elements
}

// decodeJSON decodes one JSON value from raw, refusing input larger than MaxInputBytes, nested
// deeper than MaxJSONDepth, with duplicate keys, with NUL characters (Postgres text cannot hold
// them) or with numbers Postgres numeric cannot hold. The token stream keeps the stack flat, and
// the recursion here is bounded by MaxJSONDepth, so hostile nesting cannot exhaust the stack.
func decodeJSON(raw []byte, at *path) (*jnode, error) {
	if len(raw) > MaxInputBytes {
		return nil, errorf(at, "longer than %d bytes", MaxInputBytes)
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(raw))}
	d.dec.UseNumber()
	n, err := d.value(at, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errorf(at, "unexpected data after the JSON value")
	}
	return n, nil
}

type decoder struct {
	dec *json.Decoder
}

func (d *decoder) token(at *path) (json.Token, error) {
	tok, err := d.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, errorf(at, "invalid JSON at byte %d: %v", d.dec.InputOffset(), err)
	}
	return tok, nil
}

func (d *decoder) value(at *path, depth int) (*jnode, error) {
	tok, err := d.token(at)
	if err != nil {
		return nil, err
	}
	return d.fromToken(tok, at, depth)
}

func (d *decoder) fromToken(tok json.Token, at *path, depth int) (*jnode, error) {
	switch t := tok.(type) {
	case nil:
		return &jnode{kind: jNull}, nil
	case bool:
		return &jnode{kind: jBool, b: t}, nil
	case json.Number:
		if msg := checkNumber(string(t)); msg != "" {
			return nil, errorf(at, "%s", msg)
		}
		return &jnode{kind: jNumber, str: string(t)}, nil
	case string:
		if strings.IndexByte(t, 0) >= 0 {
			return nil, errorf(at, "strings may not contain NUL (\\u0000)")
		}
		return &jnode{kind: jString, str: t}, nil
	case json.Delim:
		if depth >= MaxJSONDepth {
			return nil, errorf(at, "nested deeper than %d levels", MaxJSONDepth)
		}
		if t == '{' {
			return d.object(at, depth+1)
		}
		return d.array(at, depth+1)
	}
	return nil, errorf(at, "unexpected JSON token %v", tok)
}

func (d *decoder) object(at *path, depth int) (*jnode, error) {
	n := &jnode{kind: jObject}
	seen := map[string]bool{}
	for {
		tok, err := d.token(at)
		if err != nil {
			return nil, err
		}
		if tok == json.Delim('}') {
			return n, nil
		}
		k, _ := tok.(string) // the decoder only yields strings in key position
		kp := at.field(k)
		if strings.IndexByte(k, 0) >= 0 {
			return nil, errorf(kp, "keys may not contain NUL (\\u0000)")
		}
		if seen[k] {
			return nil, errorf(kp, "duplicate key")
		}
		seen[k] = true
		v, err := d.value(kp, depth)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k)
		n.elems = append(n.elems, v)
	}
}

func (d *decoder) array(at *path, depth int) (*jnode, error) {
	n := &jnode{kind: jArray}
	for i := 0; ; i++ {
		tok, err := d.token(at)
		if err != nil {
			return nil, err
		}
		if tok == json.Delim(']') {
			return n, nil
		}
		v, err := d.fromToken(tok, at.elem(i), depth)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
	}
}

// toGo converts n to the values encoding/json produces with UseNumber: nil, bool, json.Number,
// string, []any and map[string]any.
func (n *jnode) toGo() any {
	switch n.kind {
	case jBool:
		return n.b
	case jNumber:
		return json.Number(n.str)
	case jString:
		return n.str
	case jArray:
		a := make([]any, len(n.elems))
		for i, e := range n.elems {
			a[i] = e.toGo()
		}
		return a
	case jObject:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k] = n.elems[i].toGo()
		}
		return m
	}
	return nil
}

func (k jkind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}
