package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
)

// The example of PROTOCOL.md §2, verbatim.
const protocolExample = `{
  "collections": {
    "tasks": {
      "fields": {
        "title":    {"type": "string", "required": true, "maxLength": 200},
        "status":   {"type": "string", "enum": ["active", "done"]},
        "priority": {"type": "integer", "minimum": 0},
        "tags":     {"type": "array", "items": {"type": "string"}},
        "meta":     {"type": "object"},
        "done":     {"type": "boolean"}
      },
      "additionalFields": false,
      "access": {"read": "member", "write": "member"}
    },
    "notes": {"access": {"read": "owner", "write": "owner"}}
  }
}`

func TestParseProtocolExample(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte(protocolExample))
	require.NoError(t, err)
	require.False(t, s.IsOpen())
	require.Equal(t, []string{"notes", "tasks"}, s.Names())
	require.JSONEq(t, protocolExample, string(s.Raw()))

	tasks, ok := s.Collection("tasks")
	require.True(t, ok)
	require.Equal(t, "tasks", tasks.Name)
	require.Equal(t, access.LevelMember, tasks.Read)
	require.Equal(t, access.LevelMember, tasks.Write)
	require.Equal(t, []string{"done", "meta", "priority", "status", "tags", "title"}, tasks.fields)
	require.Nil(t, tasks.Validate(decodeData(t, `{"title": "x", "status": "done", "priority": 3, "tags": ["a"], "meta": {"k": [1]}, "done": false}`)))
	require.Equal(t, []FieldError{{Path: "title", Message: "is required"}}, tasks.Validate(decodeData(t, `{}`)))

	notes, ok := s.Collection("notes")
	require.True(t, ok)
	require.Equal(t, access.LevelOwner, notes.Read)
	require.Equal(t, access.LevelOwner, notes.Write)
	require.Nil(t, notes.Validate(decodeData(t, `{"anything": [1, {"x": null}]}`)))

	_, ok = s.Collection("other")
	require.False(t, ok, "a schema allows only the collections it declares")
	_, ok = s.Collection("$users")
	require.False(t, ok)
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte(`{"collections": {"a": {}, "b": {"access": {}}, "c": {"access": {"read": "viewer"}}, "d": {"fields": {"x": {}}}}}`))
	require.NoError(t, err)
	for name, want := range map[string][2]access.Level{
		"a": {access.LevelMember, access.LevelMember},
		"b": {access.LevelMember, access.LevelMember},
		"c": {access.LevelViewer, access.LevelMember},
		"d": {access.LevelMember, access.LevelMember},
	} {
		c, ok := s.Collection(name)
		require.True(t, ok, name)
		require.Equal(t, want, [2]access.Level{c.Read, c.Write}, name)
	}
	a, _ := s.Collection("a")
	require.Nil(t, a.validator, "no fields and additionalFields true: nothing to check")
	d, _ := s.Collection("d")
	require.Nil(t, d.Validate(decodeData(t, `{"x": 1, "undeclared": true}`)), "additionalFields defaults to true")

	empty, err := Parse([]byte(`{"collections": {}}`))
	require.NoError(t, err, "an empty schema is allowed: it allows no collection")
	_, ok := empty.Collection("tasks")
	require.False(t, ok)
	require.Empty(t, empty.Names())
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("f", 129)
	nested := `{}`
	for range MaxSpecDepth {
		nested = `{"items": ` + nested + `}`
	}
	for _, tc := range []struct {
		name, doc, path, msg string
	}{
		{"empty", ``, "", "is empty"},
		{"blank", " \n", "", "is empty"},
		{"not json", `{"collections": `, "", "not valid JSON"},
		{"trailing data", `{"collections": {}} {}`, "", "unexpected data after the document"},
		{"array", `[]`, "", "must be a JSON object"},
		{"null", `null`, "", "must be a JSON object"},
		{"no collections", `{}`, "collections", "is required"},
		{"unknown top-level key", `{"collections": {}, "colections": {}}`, "colections", "unknown key"},
		{"collections not an object", `{"collections": []}`, "collections", "must be an object"},
		{"bad collection name", `{"collections": {"bad name": {}}}`, "collections.bad name", "invalid collection name"},
		{"reserved collection name", `{"collections": {"$users": {}}}`, "collections.$users", "invalid collection name"},
		{"empty collection name", `{"collections": {"": {}}}`, "collections.", "invalid collection name"},
		{"collection not an object", `{"collections": {"t": true}}`, "collections.t", "must be an object"},
		{"unknown collection key", `{"collections": {"t": {"feilds": {}}}}`, "collections.t.feilds", "unknown key"},
		{"fields not an object", `{"collections": {"t": {"fields": []}}}`, "collections.t.fields", "must be an object"},
		{"additionalFields not a bool", `{"collections": {"t": {"additionalFields": "no"}}}`, "collections.t.additionalFields", "must be true or false"},
		{"access not an object", `{"collections": {"t": {"access": "member"}}}`, "collections.t.access", "must be an object"},
		{"unknown read level", `{"collections": {"t": {"access": {"read": "everyone"}}}}`, "collections.t.access.read", `unknown read access "everyone"`},
		{"viewer cannot write", `{"collections": {"t": {"access": {"write": "viewer"}}}}`, "collections.t.access.write", `unknown write access "viewer"`},
		{"write not a string", `{"collections": {"t": {"access": {"write": 1}}}}`, "collections.t.access.write", "must be a string"},
		{"unknown access key", `{"collections": {"t": {"access": {"delete": "admin"}}}}`, "collections.t.access.delete", "unknown key"},
		{"empty field name", `{"collections": {"t": {"fields": {"": {}}}}}`, "collections.t.fields.", "must not be empty"},
		{"dotted field name", `{"collections": {"t": {"fields": {"a.b": {}}}}}`, "collections.t.fields.a.b", "must not contain '.'"},
		{"$ field name", `{"collections": {"t": {"fields": {"$and": {}}}}}`, "collections.t.fields.$and", "must not start with $"},
		{"control character in field name", `{"collections": {"t": {"fields": {"a\nb": {}}}}}`, "collections.t.fields.a\nb", "control characters"},
		{"long field name", `{"collections": {"t": {"fields": {"` + long + `": {}}}}}`, "collections.t.fields." + long[:80] + "…", "at most 128 bytes"},
		{"spec not an object", `{"collections": {"t": {"fields": {"title": "string"}}}}`, "collections.t.fields.title", "must be an object"},
		{"boolean spec", `{"collections": {"t": {"fields": {"title": true}}}}`, "collections.t.fields.title", "must be an object"},
		{"required not a bool", `{"collections": {"t": {"fields": {"title": {"required": "yes"}}}}}`, "collections.t.fields.title.required", "must be true, false or an array"},
		{"required null", `{"collections": {"t": {"fields": {"title": {"required": null}}}}}`, "collections.t.fields.title.required", "must be true, false or an array"},
		{"unknown type", `{"collections": {"t": {"fields": {"title": {"type": "strin"}}}}}`, "collections.t.fields.title.type", `must be one of "array", "boolean"`},
		{"unknown type in a list", `{"collections": {"t": {"fields": {"title": {"type": ["string", "nul"]}}}}}`, "collections.t.fields.title.type.1", "must be one of"},
		{"minimum not a number", `{"collections": {"t": {"fields": {"priority": {"minimum": "x"}}}}}`, "collections.t.fields.priority.minimum", "must be number (got string)"},
		{"negative maxLength", `{"collections": {"t": {"fields": {"title": {"maxLength": -1}}}}}`, "collections.t.fields.title.maxLength", "must be at least 0"},
		{"huge maxLength", `{"collections": {"t": {"fields": {"title": {"maxLength": 1e30}}}}}`, "collections.t.fields.title.maxLength", "must be at most 2147483647"},
		{"items as an array (draft 7)", `{"collections": {"t": {"fields": {"tags": {"items": [{"type": "string"}]}}}}}`, "collections.t.fields.tags.items", "must be boolean or object (got array)"},
		{"nested required shorthand", `{"collections": {"t": {"fields": {"meta": {"type": "object", "properties": {"x": {"required": true}}}}}}}`, "collections.t.fields.meta.properties.x.required", "shorthand only at a field's top level"},
		{"bad pattern", `{"collections": {"t": {"fields": {"title": {"pattern": "(a"}}}}}`, "collections.t.fields.title.pattern", "invalid regular expression"},
		{"lookahead pattern (not RE2)", `{"collections": {"t": {"fields": {"title": {"pattern": "(?=a)"}}}}}`, "collections.t.fields.title.pattern", "invalid regular expression"},
		{"bad patternProperties", `{"collections": {"t": {"fields": {"meta": {"patternProperties": {"(": {}}}}}}}`, "collections.t.fields.meta.patternProperties.(", "invalid regular expression"},
		{"huge repetition", `{"collections": {"t": {"fields": {"title": {"pattern": "(a{1000}){1000}"}}}}}`, "collections.t.fields.title.pattern", "invalid repeat count"},
		{"typo in a keyword", `{"collections": {"t": {"fields": {"title": {"maxLenght": 3}}}}}`, "collections.t.fields.title.maxLenght", "unknown keyword"},
		{"OpenAPI keyword", `{"collections": {"t": {"fields": {"title": {"nullable": true}}}}}`, "collections.t.fields.title.nullable", "unknown keyword"},
		{"draft 7 keyword", `{"collections": {"t": {"fields": {"tags": {"additionalItems": false}}}}}`, "collections.t.fields.tags.additionalItems", "unknown keyword"},
		{"unknown keyword deep down", `{"collections": {"t": {"fields": {"m": {"anyOf": [{}, {"properties": {"x": {"minimun": 1}}}]}}}}}`, "collections.t.fields.m.anyOf.1.properties.x.minimun", "unknown keyword"},
		{"remote $ref", `{"collections": {"t": {"fields": {"title": {"$ref": "https://example.com/s.json"}}}}}`, "collections.t.fields.title.$ref", "not supported"},
		{"file $ref", `{"collections": {"t": {"fields": {"tags": {"items": {"$ref": "file:///etc/passwd"}}}}}}`, "collections.t.fields.tags.items.$ref", "not supported"},
		{"local $ref", `{"collections": {"t": {"fields": {"title": {"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s"}}}}}`, "collections.t.fields.title.$ref", "not supported"},
		{"$dynamicRef", `{"collections": {"t": {"fields": {"title": {"$dynamicRef": "#x"}}}}}`, "collections.t.fields.title.$dynamicRef", "not supported"},
		{"$schema", `{"collections": {"t": {"fields": {"title": {"$schema": "http://json-schema.org/draft-07/schema#"}}}}}`, "collections.t.fields.title.$schema", "not supported"},
		{"$id", `{"collections": {"t": {"fields": {"title": {"$id": "https://example.com/x"}}}}}`, "collections.t.fields.title.$id", "not supported"},
		{"too deep", `{"collections": {"t": {"fields": {"tags": {"items": ` + nested + `}}}}}`, "collections.t.fields.tags" + strings.Repeat(".items", MaxSpecDepth), "nests more than 64 levels"},
		{"huge exponent", `{"collections": {"t": {"fields": {"n": {"minimum": 1e5000}}}}}`, "collections.t.fields.n.minimum", "exponent"},
		{"long number in enum", `{"collections": {"t": {"fields": {"n": {"enum": [1, ` + strings.Repeat("9", 1001) + `]}}}}}`, "collections.t.fields.n.enum.1", "more than 1000 characters"},
		{"first error in key order", `{"collections": {"b": {"fields": {"x": {"type": 1}}}, "a": {"fields": {"y": {"type": 1}, "x": {"foo": 1}}}}}`, "collections.a.fields.x.foo", "unknown keyword"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse([]byte(tc.doc))
			require.Nil(t, s)
			var e *Error
			require.True(t, errors.As(err, &e), "want *Error, got %T %v", err, err)
			require.Equal(t, tc.path, e.Path)
			require.Contains(t, e.Message, tc.msg)
			if tc.path != "" {
				require.Equal(t, tc.path+": "+e.Message, err.Error())
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	many := func(n int, item func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = item(i)
		}
		return strings.Join(parts, ",")
	}
	colls := func(n int) string {
		return `{"collections": {` + many(n, func(i int) string { return fmt.Sprintf(`"c%d": {}`, i) }) + `}}`
	}
	fields := func(n int) string {
		return `{"collections": {"t": {"fields": {` + many(n, func(i int) string { return fmt.Sprintf(`"f%d": {"type": "string"}`, i) }) + `}}}}`
	}
	_, err := Parse([]byte(colls(MaxCollections)))
	require.NoError(t, err)
	_, err = Parse([]byte(colls(MaxCollections + 1)))
	require.EqualError(t, err, "collections: has 1001 collections, at most 1000 are allowed")

	s, err := Parse([]byte(fields(MaxFields)))
	require.NoError(t, err)
	c, _ := s.Collection("t")
	require.Equal(t, []FieldError{{Path: "f7", Message: "must be string (got number)"}}, c.Validate(decodeData(t, `{"f7": 7}`)))
	_, err = Parse([]byte(fields(MaxFields + 1)))
	require.EqualError(t, err, "collections.t.fields: has 1001 fields, at most 1000 are allowed")

	anyOf := func(n int) string {
		return `{"anyOf": [` + many(n, func(int) string { return `{}` }) + `]}`
	}
	_, err = Parse([]byte(`{"collections": {"t": {"fields": {"x": ` + anyOf(MaxCollectionSubschemas-1) + `}}}}`))
	require.NoError(t, err)
	_, err = Parse([]byte(`{"collections": {"t": {"fields": {"x": ` + anyOf(MaxCollectionSubschemas) + `}}}}`))
	require.EqualError(t, err, "collections.t.fields.x.anyOf.2999: the collection's field specs hold more than 3000 subschemas")

	empties := func(n int) string {
		return `{"fields": {` + many(n, func(i int) string { return fmt.Sprintf(`"f%d": {}`, i) }) + `}}`
	}
	_, err = Parse([]byte(`{"collections": {` + many(11, func(i int) string { return fmt.Sprintf(`"c%02d": %s`, i, empties(1000)) }) + `}}`))
	require.EqualError(t, err, "collections.c10.fields.f0: the field specs hold more than 10000 subschemas in all")

	patterns := func(n int) string {
		return `{"collections": {"t": {"fields": {` + many(n, func(i int) string { return fmt.Sprintf(`"f%02d": {"pattern": "^a{1,1000}b{1,1000}$"}`, i) }) + `}}}}`
	}
	_, err = Parse([]byte(patterns(12))) // 4002 instructions each
	require.NoError(t, err)
	_, err = Parse([]byte(patterns(13)))
	require.EqualError(t, err, "collections.t.fields.f12.pattern: the patterns are too complex: more than 50000 regular expression instructions in all")

	deepest := `{}`
	for range MaxSpecDepth - 1 {
		deepest = `{"items": ` + deepest + `}`
	}
	_, err = Parse([]byte(`{"collections": {"t": {"fields": {"x": ` + deepest + `}}}}`))
	require.NoError(t, err, "a spec of exactly 64 levels is allowed")
}

// Whatever a document says, compiling it never loads anything: not over HTTP, not from files.
// checkKeywords refuses $ref and $schema first; this checks the loader behind it on its own.
func TestCompileLoadsNothing(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"type": "string"}`))
	}))
	t.Cleanup(srv.Close)
	for _, spec := range []map[string]any{
		{"$ref": srv.URL + "/s.json"},
		{"items": map[string]any{"$ref": srv.URL + "/s.json#/x"}},
		{"$schema": srv.URL + "/meta.json"},
		{"$ref": "file:///etc/hostname"},
		{"$ref": "s.json"}, // relative: would resolve against the document's own URL
	} {
		doc := map[string]any{"type": "object", "properties": map[string]any{"x": spec}}
		sch, err := compile("t", "collections.t", doc)
		require.Nil(t, sch, "%v", spec)
		var e *Error
		require.True(t, errors.As(err, &e), "%v: %v", spec, err)
		require.True(t, strings.HasPrefix(e.Path, "collections.t"), e.Path)

		raw, _ := json.Marshal(map[string]any{"collections": map[string]any{"t": map[string]any{"fields": map[string]any{"x": spec}}}})
		_, err = Parse(raw)
		require.Error(t, err)
	}
	require.Zero(t, hits.Load(), "a schema made a request")
}

func TestOpen(t *testing.T) {
	t.Parallel()
	s := Open()
	require.True(t, s.IsOpen())
	require.Nil(t, s.Raw())
	raw, err := json.Marshal(s.Raw())
	require.NoError(t, err)
	require.Equal(t, "null", string(raw), "GET /schema in open mode answers null")
	require.Nil(t, s.Names())

	for _, name := range []string{"tasks", "a", "A-b_9", strings.Repeat("x", 64)} {
		c, ok := s.Collection(name)
		require.True(t, ok, name)
		require.Equal(t, name, c.Name)
		require.Equal(t, access.LevelMember, c.Read)
		require.Equal(t, access.LevelMember, c.Write)
		require.Nil(t, c.Validate(decodeData(t, `{"anything": {"goes": [1e5000, "x"]}}`)), "open mode checks no fields")
	}
	for _, name := range []string{"", "$users", "bad name", "a.b", "é", strings.Repeat("x", 65)} {
		_, ok := s.Collection(name)
		require.False(t, ok, name)
	}
}

func TestValidCollectionName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"tasks": true, "T": true, "a_b-c": true, "0": true, "-": true, strings.Repeat("z", 64): true,
		"": false, "$users": false, "$": false, "a b": false, "a/b": false, "a.b": false,
		"ü": false, "a\x00": false, strings.Repeat("z", 65): false,
	} {
		require.Equal(t, want, ValidCollectionName(name), "%q", name)
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "collections.t: boom", (&Error{Path: "collections.t", Message: "boom"}).Error())
	require.Equal(t, "boom", (&Error{Message: "boom"}).Error())
}
