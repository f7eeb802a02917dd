package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/schema"
)

// checkData, the shortcut for collections without field checks, accepts exactly what
// decodeData accepts.
func FuzzCheckData(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` {"a":1} `, `{"a":{"b":[1,2,{"c":null}]}}`, `[]`, `null`, `1`, `"x"`, ``, `{`,
		`{} {}`, `{}}`, `{}]`, `{"a":1}x`, "\t{\"a\":\"\\u0000\"}\n", `{"a":1,"a":2}`,
		strings.Repeat(`{"a":`, 64) + `1` + strings.Repeat(`}`, 64),
		strings.Repeat(`{"a":`, 65) + `1` + strings.Repeat(`}`, 65),
		strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, decodeErr := decodeData(raw)
		checkErr := checkData(raw)
		if (decodeErr == nil) != (checkErr == nil) {
			t.Fatalf("%q: decodeData says %v, checkData says %v", raw, decodeErr, checkErr)
		}
	})
}

// checkStorable never panics on valid JSON, refuses every NUL and out-of-bounds number that a
// decoder finds in the data, and passes data without any of them, escapes or invalid UTF-8.
func FuzzCheckStorable(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":"\u0000"}`, `{"\u0000":1}`, `{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\\u0000"}`,
		`{"a":[1,{"b":[true,null,"x"]}],"c":1e1001}`, "{\"a\":\"\xff\"}", `{"a":"\udc00"}`, `{"a":-0.0e-0}`,
		`{"a":"\ud800\u0041"}`, `[1,2]`, `"x"`, `1e5000`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		err := checkStorable(raw)
		var pe *protocol.Error
		if err != nil && (!errors.As(err, &pe) || len(pe.Details) != 1) {
			t.Fatalf("%q: %v without its one detail", raw, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			t.Fatalf("%q is valid but does not decode", raw)
		}
		bad := hasUnstorable(v)
		if bad && err == nil {
			t.Fatalf("%q: a NUL or an out-of-bounds number passed", raw)
		}
		plain := utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u`))
		if !bad && plain && err != nil {
			t.Fatalf("%q: refused for nothing: %v", raw, err)
		}
	})
}

// hasUnstorable finds a NUL in a string or key, or a number out of schema.NumberProblem's bounds.
func hasUnstorable(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case json.Number:
		return schema.NumberProblem(string(v)) != ""
	case []any:
		return slices.ContainsFunc(v, hasUnstorable)
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, 0) || hasUnstorable(e) {
				return true
			}
		}
	}
	return false
}
