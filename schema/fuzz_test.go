package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzParse: no document makes Parse or Validate panic; Parse fails only with *Error; a parsed
// schema keeps its document and answers Validate deterministically, sorted, with messages.
// Seeds: the f.Add calls below and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(protocolExample))
	f.Add([]byte(`{"collections": {}}`))
	f.Add([]byte(`{"collections": {"a": {"fields": {"x": {"type": "integer", "required": true}}, "additionalFields": false}}}`))
	f.Add([]byte(`{"collections": {"a": {"fields": {"m": {"type": "object", "propertyNames": {"maxLength": 1}, "patternProperties": {"^x": {"type": "string"}}}}}}}`))
	f.Add([]byte(`{"collections": {"a": {"fields": {"l": {"type": "array", "prefixItems": [{"const": 1}], "items": {"anyOf": [{"type": "null"}, {"type": "object", "propertyNames": {"pattern": "^[a-z]$"}}]}, "uniqueItems": true}}}}}`))
	f.Add([]byte(`{"collections": {"a": {"fields": {"n": {"multipleOf": 1e-3, "maximum": 1e300, "enum": [1, 2.5, "x", null, {"a": [true]}]}}}}}`))
	f.Add([]byte(`{"collections": {"a": {"fields": {"x": {"$ref": "http://127.0.0.1/x"}}}}}`))
	f.Add([]byte(`{"collections": {"a": {"fields": {"x": {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"not": {"type": "null"}}, "dependentSchemas": {"q": {}}}}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Parse(raw)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error %T, want *Error: %v", err, err)
			}
			return
		}
		if !bytes.Equal(s.Raw(), raw) {
			t.Fatalf("Raw changed the document")
		}
		for _, name := range s.Names() {
			c, ok := s.Collection(name)
			if !ok || !ValidCollectionName(name) || c.Name != name {
				t.Fatalf("collection %q: ok=%v", name, ok)
			}
			for _, data := range fuzzSamples(c) {
				errs := c.Validate(data)
				if again := c.Validate(data); !slices.Equal(errs, again) {
					t.Fatalf("Validate is not deterministic: %v, then %v", errs, again)
				}
				for i, fe := range errs {
					if fe.Message == "" {
						t.Fatalf("empty message at %q", fe.Path)
					}
					if i > 0 && errs[i-1] == fe {
						t.Fatalf("duplicate error %v", fe)
					}
				}
			}
		}
	})
}

// fuzzSamples are objects that exercise a collection's fields: each declared field set to
// values of every JSON type, plus undeclared fields.
func fuzzSamples(c *Collection) []map[string]any {
	values := []any{
		nil, true, false, "", "x", "XYZ", strings.Repeat("é", 300),
		json.Number("0"), json.Number("-1"), json.Number("1.5"), json.Number("2.0"), json.Number("1e300"), json.Number("-1e-300"),
		[]any{}, []any{"a", json.Number("1"), nil, []any{"a"}}, []any{json.Number("1"), json.Number("1.0")},
		map[string]any{}, map[string]any{"x": "y", "Y": json.Number("2"), "": []any{map[string]any{"q": true}}},
	}
	samples := []map[string]any{{}, {"undeclared": json.Number("1"), "other": []any{map[string]any{"a": nil}}}}
	for _, v := range values {
		m := map[string]any{"extra": v}
		for _, f := range c.fields {
			m[f] = v
		}
		samples = append(samples, m)
	}
	return samples
}

// FuzzValidate: no record data makes Validate panic against a schema using most keywords, and
// its answer is deterministic, sorted and free of duplicates.
func FuzzValidate(f *testing.F) {
	s, err := Parse([]byte(`{"collections": {"c": {"fields": {
		"title": {"type": "string", "required": true, "maxLength": 5, "pattern": "^[a-z]*$"},
		"n":     {"type": ["integer", "null"], "minimum": -10, "exclusiveMaximum": 1e3, "multipleOf": 0.5},
		"tags":  {"type": "array", "prefixItems": [{"const": "first"}], "items": {"type": "string"}, "uniqueItems": true, "maxItems": 4, "contains": {"const": "x"}},
		"meta":  {"type": "object", "propertyNames": {"maxLength": 3}, "patternProperties": {"^n": {"type": "number"}}, "additionalProperties": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}}, "dependentRequired": {"a": ["b"]}},
		"one":   {"oneOf": [{"type": "number"}, {"type": "integer"}, {"enum": [null, {"k": [1]}]}]},
		"cond":  {"if": {"type": "object"}, "then": {"required": ["kind"], "unevaluatedProperties": false, "properties": {"kind": {}}}, "else": {"not": {"type": "string"}}}
	}, "additionalFields": false}}}`))
	if err != nil {
		f.Fatal(err)
	}
	c, _ := s.Collection("c")
	f.Add([]byte(`{"title": "abc", "n": 2.5, "tags": ["first", "x"], "meta": {"n1": 1, "ab": {"xy": 1}}, "one": 1.5, "cond": {"kind": 1}}`))
	f.Add([]byte(`{"title": "ABCDEFG", "n": 1e999, "tags": ["x", "x", 1], "meta": {"toolong": 1, "zz": {"Q": 1}, "a": 1}, "one": 1, "cond": "s", "extra": [1e1001]}`))
	f.Add([]byte(`{"meta": {"abcd": {"ABC": {"x": 1}}, "q": [{"r": {}}]}, "tags": [], "one": {"k": [1.0]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var data map[string]any
		if dec.Decode(&data) != nil {
			return
		}
		errs := c.Validate(data)
		if again := c.Validate(data); !slices.Equal(errs, again) {
			t.Fatalf("Validate is not deterministic: %v, then %v", errs, again)
		}
		numberErr := slices.ContainsFunc(errs, func(fe FieldError) bool { return strings.HasPrefix(fe.Message, "number") })
		if data != nil && !numberErr { // out-of-bounds numbers are reported alone
			if _, ok := data["title"]; !ok && !slices.Contains(errs, FieldError{Path: "title", Message: "is required"}) {
				t.Fatalf("missing title not reported: %v", errs)
			}
		}
		for i, fe := range errs {
			if fe.Message == "" || i > 0 && errs[i-1] == fe {
				t.Fatalf("bad error list %v", errs)
			}
		}
	})
}
