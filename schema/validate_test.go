package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeData decodes record data the way the records service does: numbers as json.Number.
func decodeData(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

// collection parses a one-collection schema from the collection's JSON.
func collection(t testing.TB, rules string) *Collection {
	t.Helper()
	s, err := Parse([]byte(`{"collections": {"c": ` + rules + `}}`))
	require.NoError(t, err)
	c, ok := s.Collection("c")
	require.True(t, ok)
	return c
}

func fe(path, msg string) FieldError { return FieldError{Path: path, Message: msg} }

func TestValidate(t *testing.T) {
	t.Parallel()
	tasks := collection(t, `{"fields": {
		"title":    {"type": "string", "required": true, "maxLength": 5},
		"note":     {"type": "string", "required": false},
		"status":   {"type": "string", "enum": ["active", "done"]},
		"priority": {"type": "integer", "minimum": 0},
		"score":    {"type": "number", "exclusiveMaximum": 1.5},
		"tags":     {"type": "array", "items": {"type": "string"}},
		"meta":     {"type": "object", "properties": {"x": {"type": "object", "properties": {"y": {"type": "integer"}}}}, "required": ["id"]},
		"email":    {"type": "string", "format": "email"},
		"maybe":    {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
		"ref":      {"type": "object", "dependentRequired": {"a": ["b"]}}
	}}`)
	for _, tc := range []struct {
		name, data string
		want       []FieldError
	}{
		{"valid", `{"title": "hi", "status": "done", "priority": 3, "tags": ["a", "b"], "meta": {"id": 1, "x": {"y": 2}}}`, nil},
		{"required shorthand", `{"note": "x"}`, []FieldError{fe("title", "is required")}},
		{"required: false is optional", `{"title": "hi"}`, nil},
		{"null is a value, not absence", `{"title": null}`, []FieldError{fe("title", "must be string (got null)")}},
		{"maxLength counts characters", `{"title": "ééééé"}`, nil},
		{"maxLength", `{"title": "toolong"}`, []FieldError{fe("title", "must be at most 5 characters long (got 7)")}},
		{"enum", `{"title": "x", "status": "open"}`, []FieldError{fe("status", `must be one of "active", "done"`)}},
		{"integer refuses 1.5", `{"title": "x", "priority": 1.5}`, []FieldError{fe("priority", "must be integer (got number)")}},
		{"integer accepts 2.0", `{"title": "x", "priority": 2.0}`, nil},
		{"integer accepts 2e2", `{"title": "x", "priority": 2e2}`, nil},
		{"integer refuses a string", `{"title": "x", "priority": "2"}`, []FieldError{fe("priority", "must be integer (got string)")}},
		{"minimum", `{"title": "x", "priority": -1}`, []FieldError{fe("priority", "must be at least 0")}},
		{"exclusiveMaximum", `{"title": "x", "score": 1.5}`, []FieldError{fe("score", "must be less than 1.5")}},
		{"array items", `{"title": "x", "tags": ["a", 1, "c"]}`, []FieldError{fe("tags.1", "must be string (got number)")}},
		{"nested object", `{"title": "x", "meta": {"id": 1, "x": {"y": "no"}}}`, []FieldError{fe("meta.x.y", "must be integer (got string)")}},
		{"nested required array", `{"title": "x", "meta": {}}`, []FieldError{fe("meta.id", "is required")}},
		{"additionalFields defaults to true", `{"title": "x", "extra": {"any": 1}}`, nil},
		{"formats are annotations", `{"title": "x", "email": "not an email"}`, nil},
		{"anyOf", `{"title": "x", "maybe": "long"}`, []FieldError{fe("maybe", "must match at least one of the anyOf schemas (must be at most 3 characters long (got 4); must be null (got string))")}},
		{"anyOf second branch", `{"title": "x", "maybe": null}`, nil},
		{"dependentRequired", `{"title": "x", "ref": {"a": 1}}`, []FieldError{fe("ref.b", `is required when "a" is present`)}},
		{"every error, sorted", `{"status": 1, "priority": -2, "tags": [0, "a", 2, 3, 4, 5, 6, 7, 8, 9, 10], "meta": {"x": {"y": 0.5}}}`, []FieldError{
			fe("meta.id", "is required"),
			fe("meta.x.y", "must be integer (got number)"),
			fe("priority", "must be at least 0"),
			fe("status", "must be string (got number)"),
			fe("tags.0", "must be string (got number)"),
			fe("tags.2", "must be string (got number)"),
			fe("tags.3", "must be string (got number)"),
			fe("tags.4", "must be string (got number)"),
			fe("tags.5", "must be string (got number)"),
			fe("tags.6", "must be string (got number)"),
			fe("tags.7", "must be string (got number)"),
			fe("tags.8", "must be string (got number)"),
			fe("tags.9", "must be string (got number)"),
			fe("tags.10", "must be string (got number)"),
			fe("title", "is required"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tasks.Validate(decodeData(t, tc.data)))
		})
	}
}

func TestValidateAdditionalFieldsFalse(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {"title": {"type": "string"}}, "additionalFields": false}`)
	require.Nil(t, c.Validate(decodeData(t, `{"title": "x"}`)))
	require.Nil(t, c.Validate(decodeData(t, `{}`)))
	require.Equal(t, []FieldError{fe("extra", "is not allowed"), fe("more", "is not allowed")},
		c.Validate(decodeData(t, `{"title": "x", "more": 1, "extra": null}`)))

	none := collection(t, `{"additionalFields": false}`)
	require.Nil(t, none.Validate(decodeData(t, `{}`)))
	require.Equal(t, []FieldError{fe("x", "is not allowed")}, none.Validate(decodeData(t, `{"x": 1}`)))
}

func TestValidateNoFields(t *testing.T) {
	t.Parallel()
	for _, rules := range []string{`{}`, `{"fields": {}}`, `{"fields": {}, "additionalFields": true}`} {
		c := collection(t, rules)
		require.Nil(t, c.Validate(decodeData(t, `{"a": [1, {"b": null}], "c": "d"}`)), rules)
		require.Nil(t, c.Validate(map[string]any{}), rules)
		require.Nil(t, c.Validate(nil), rules)
	}
	var nilCollection *Collection
	require.Nil(t, nilCollection.Validate(map[string]any{"a": 1}))
}

// Data built by Go code rather than decoded (float64 numbers, other Go types) must not panic.
func TestValidateGoValues(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {"n": {"type": "integer", "minimum": 0}, "s": {"type": "string"}, "u": {"uniqueItems": true}}}`)
	require.Nil(t, c.Validate(map[string]any{"n": 2.0}))
	require.Equal(t, []FieldError{fe("n", "must be integer (got number)")}, c.Validate(map[string]any{"n": 1.5}))
	require.Equal(t, []FieldError{fe("n", "must be at least 0")}, c.Validate(map[string]any{"n": -3}))
	require.Equal(t, []FieldError{fe("n", "is not a valid JSON number")}, c.Validate(map[string]any{"n": json.Number("1.2.3")}))
	require.Equal(t, []FieldError{fe("u", "must not hold duplicates (items 0 and 1 are equal)")}, c.Validate(map[string]any{"u": []any{json.Number("1.0"), 1.0}}))
	errs := c.Validate(map[string]any{"s": struct{}{}})
	require.Len(t, errs, 1)
	require.Equal(t, "s", errs[0].Path)
	require.Contains(t, errs[0].Message, "is not a JSON value")
}

// Numbers whose big.Rat would be expensive are refused before the library sees them.
func TestValidateNumberBounds(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {"n": {"type": "integer"}}}`)
	require.Nil(t, c.Validate(decodeData(t, `{"n": 1e1000, "m": -1E-1000, "o": [1e+999]}`)))
	long := strings.Repeat("9", 1001)
	require.Equal(t, []FieldError{
		fe("a.b.1", "number's exponent is outside ±1000"),
		fe("m", "number has more than 1000 characters"),
		fe("n", "number's exponent is outside ±1000"),
		fe("o", "number's exponent is outside ±1000"),
	}, c.Validate(decodeData(t, `{"n": 1e1001, "m": `+long+`, "o": 1e99999999999999999999, "a": {"b": [0, 2E-1001]}}`)))
}

// jsonschema v6.0.3 records a propertyNames failure at a location it goes on overwriting; the
// path must nevertheless be right, whatever order the maps are walked in.
func TestValidatePropertyNamesPath(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {
		"a": {"type": "object"},
		"meta": {"type": "object", "propertyNames": {"maxLength": 2}},
		"list": {"type": "array", "items": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}}},
		"z": {"type": "object"}
	}}`)
	data := `{"a": {"abc": 1, "q": 2}, "meta": {"ok": 1, "abc": 2}, "list": [{"x": 1}, {"x": 1, "Y": 2}, {"y": 3}], "z": {"abc": 1, "Y": 2, "k": 3}, "b": 1, "c": 2}`
	for range 50 {
		require.Equal(t, []FieldError{
			fe("list.1.Y", `is not an allowed property name (must match the pattern "^[a-z]+$")`),
			fe("meta.abc", "is not an allowed property name (must be at most 2 characters long (got 3))"),
		}, c.Validate(decodeData(t, data)))
	}
}

func TestValidateMoreKeywords(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {
		"one":   {"oneOf": [{"type": "number"}, {"type": "integer"}]},
		"not":   {"not": {"type": "string"}},
		"never": {"type": "object", "properties": {"x": false}},
		"list":  {"type": "array", "minItems": 2, "maxItems": 3, "contains": {"const": "x"}, "uniqueItems": true},
		"obj":   {"type": "object", "minProperties": 1, "unevaluatedProperties": false, "properties": {"a": {}}},
		"code":  {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3},
		"k":     {"const": {"a": 1}},
		"mult":  {"multipleOf": 0.5},
		"cond":  {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}}
	}}`)
	require.Equal(t, []FieldError{
		fe("code", "must be at least 3 characters long (got 2)"),
		fe("code", `must match the pattern "^[A-Z]{3}$"`),
		fe("cond", "must be integer (got boolean)"),
		fe("k", `must be {"a":1}`),
		fe("list", "must contain an item matching the contains schema"),
		fe("list", "must have at least 2 items (got 1)"),
		fe("mult", "must be a multiple of 0.5"),
		fe("not", "must not match the schema in not"),
		fe("obj.b", "is not allowed"),
		fe("one", "must match exactly one of the oneOf schemas, but matches 0 and 1"),
	}, c.Validate(decodeData(t, `{"one": 1, "not": "s", "list": ["y"], "obj": {"a": 1, "b": 2}, "code": "ab", "k": {"a": 2}, "mult": 0.3, "cond": true}`)))
	require.Nil(t, c.Validate(decodeData(t, `{"one": 1.5, "not": 1, "list": ["x", "y"], "obj": {"a": 1}, "code": "ABC", "k": {"a": 1.0}, "mult": 1.5, "cond": "ab"}`)))
	require.Equal(t, []FieldError{fe("never.x", "is not allowed")}, c.Validate(decodeData(t, `{"never": {"x": 1}}`)))
}

func TestValidateConcurrent(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte(protocolExample))
	require.NoError(t, err)
	tasks, _ := s.Collection("tasks")
	var data []map[string]any
	for j := range 50 {
		data = append(data, decodeData(t, fmt.Sprintf(`{"priority": %d, "tags": ["a", %d], "meta": {"%d": {}}}`, -j, j, j)))
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, d := range data {
				errs := tasks.Validate(d)
				assert.Contains(t, errs, fe("title", "is required"))
				assert.Contains(t, errs, fe("tags.1", "must be string (got number)"))
			}
		}()
	}
	wg.Wait()
}

func BenchmarkValidate(b *testing.B) {
	s, err := Parse([]byte(protocolExample))
	require.NoError(b, err)
	tasks, _ := s.Collection("tasks")
	data := decodeData(b, `{"title": "write the docs", "status": "active", "priority": 2, "tags": ["a", "b", "c"], "meta": {"x": 1}, "done": false}`)
	b.ReportAllocs()
	for b.Loop() {
		if errs := tasks.Validate(data); errs != nil {
			b.Fatal(errs)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse([]byte(protocolExample)); err != nil {
			b.Fatal(err)
		}
	}
}

// Property names that need escaping in a JSON pointer or a URL still locate propertyNames
// failures.
func TestValidatePropertyNamesOddNames(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {"m": {"type": "object", "properties": {"a/b~c %41#?": {"type": "object", "propertyNames": {"maxLength": 1}}}}}}`)
	require.Equal(t, []FieldError{fe("m.a/b~c %41#?.xy", "is not an allowed property name (must be at most 1 character long (got 2))")},
		c.Validate(decodeData(t, `{"m": {"a/b~c %41#?": {"xy": 1, "z": 2}}, "n": {"xy": 1}}`)))
}

func TestValidateContainsCounts(t *testing.T) {
	t.Parallel()
	c := collection(t, `{"fields": {"l": {"type": "array", "contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}}}`)
	require.Nil(t, c.Validate(decodeData(t, `{"l": [1, "a", 2]}`)))
	require.Equal(t, []FieldError{fe("l", "must contain at least 2 items matching the contains schema (got 1)")}, c.Validate(decodeData(t, `{"l": [1, "a"]}`)))
	require.Equal(t, []FieldError{fe("l", "must contain at most 3 items matching the contains schema (got 4)")}, c.Validate(decodeData(t, `{"l": [1, 2, 3, 4]}`)))
}
