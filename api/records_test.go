package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/schema"
)

var timestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

func TestRecordLifecycle(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const coll = "/v1/rooms/life/collections/tasks/records"

	// Create without an id: a UUIDv7.
	r := s.must(http.StatusCreated, "alice", "POST", coll, map[string]any{"data": map[string]any{"title": "a", "n": 1}}).JSON(t)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r["id"])
	require.Equal(t, "tasks", r["collection"])
	require.Equal(t, "alice", r["userId"])
	require.EqualValues(t, 1, r["version"])
	require.Regexp(t, timestamp, r["createdAt"])
	require.Regexp(t, timestamp, r["updatedAt"])

	// Create with an id; again is a conflict.
	s.must(http.StatusCreated, "alice", "POST", coll, map[string]any{"id": "t1", "data": map[string]any{"title": "x", "keep": true}})
	s.mustErr(http.StatusConflict, "conflict", "alice", "POST", coll, map[string]any{"id": "t1", "data": map[string]any{}})

	// Put merges top-level fields and bumps the version; the creator never changes.
	r = s.must(http.StatusOK, "bob", "PUT", coll+"/t1", map[string]any{"data": map[string]any{"title": "y"}}).JSON(t)
	require.Equal(t, map[string]any{"title": "y", "keep": true}, r["data"])
	require.EqualValues(t, 2, r["version"])
	require.Equal(t, "alice", r["userId"])

	// If-Match is ifVersion.
	s.mustErr(http.StatusConflict, "conflict", "alice", "PUT", coll+"/t1", map[string]any{"data": map[string]any{}}, "If-Match", "1")
	r = s.must(http.StatusOK, "alice", "PUT", coll+"/t1", map[string]any{"data": map[string]any{"z": 1}, "replace": true}, "If-Match", "2").JSON(t)
	require.Equal(t, map[string]any{"z": float64(1)}, r["data"])
	require.EqualValues(t, 3, r["version"])
	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "PUT", coll+"/t1", map[string]any{"data": map[string]any{}}, "If-Match", "soon")

	// Put of a missing record creates it; ifVersion 0 means "only if missing".
	r = s.must(http.StatusOK, "bob", "PUT", coll+"/t2", map[string]any{"data": map[string]any{"a": 1}}, "If-Match", "0").JSON(t)
	require.Equal(t, "bob", r["userId"])
	require.EqualValues(t, 1, r["version"])
	s.mustErr(http.StatusConflict, "conflict", "bob", "PUT", coll+"/t2", map[string]any{"data": map[string]any{"a": 2}}, "If-Match", "0")
	s.mustErr(http.StatusConflict, "conflict", "bob", "PUT", coll+"/t3", map[string]any{"data": map[string]any{"a": 2}}, "If-Match", "4")

	got := s.must(http.StatusOK, "bob", "GET", coll+"/t2", nil).JSON(t)
	require.Equal(t, map[string]any{"a": float64(1)}, got["data"])

	// Remove, with ifVersion too.
	s.mustErr(http.StatusConflict, "conflict", "alice", "DELETE", coll+"/t1", nil, "If-Match", "1")
	s.must(http.StatusNoContent, "alice", "DELETE", coll+"/t1", nil, "If-Match", "3")
	s.mustErr(http.StatusNotFound, "not_found", "alice", "DELETE", coll+"/t1", nil)
	s.mustErr(http.StatusNotFound, "not_found", "alice", "GET", coll+"/t1", nil)
}

func TestListFiltersOrdersAndPages(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const coll = "/v1/rooms/list/collections/items/records"
	for i, p := range []int{5, 3, 9, 1, 7, 3} {
		s.must(http.StatusCreated, "alice", "POST", coll, map[string]any{
			"id": string(rune('a' + i)), "data": map[string]any{"p": p, "tags": []string{"t" + string(rune('0'+i%2))}},
		})
	}
	list := func(query string) ([]string, string) {
		r := s.must(http.StatusOK, "alice", "GET", coll+"?"+query, nil).JSON(t)
		var ids []string
		for _, rec := range r["records"].([]any) {
			ids = append(ids, rec.(map[string]any)["id"].(string))
		}
		next, _ := r["next"].(string)
		return ids, next
	}
	q := func(k, v string) string { return k + "=" + url.QueryEscape(v) }

	ids, next := list("")
	require.Equal(t, []string{"a", "b", "c", "d", "e", "f"}, ids, "default order: createdAt, id")
	require.Empty(t, next)

	ids, _ = list(q("where", `{"p":{"$gte":5}}`))
	require.Equal(t, []string{"a", "c", "e"}, ids)
	ids, _ = list(q("where", `{"tags":{"$contains":"t1"},"p":{"$ne":3}}`))
	require.Equal(t, []string{"d"}, ids)

	// Pages of two in priority order, ties by id, walked by cursor.
	var all []string
	query := q("orderBy", `[{"field":"p","dir":"desc"}]`) + "&limit=2"
	for page := 0; page < 10; page++ {
		ids, next := list(query)
		all = append(all, ids...)
		if next == "" {
			break
		}
		query = q("orderBy", `[{"field":"p","dir":"desc"}]`) + "&limit=2&" + q("after", next)
	}
	require.Equal(t, []string{"c", "e", "a", "b", "f", "d"}, all)

	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "GET", coll+"?limit=0", nil)
	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "GET", coll+"?limit=10001", nil)
	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "GET", coll+"?"+q("after", "garbage"), nil)
	r := s.mustErr(http.StatusBadRequest, "bad_request", "alice", "GET", coll+"?"+q("where", `{"p":{"$near":1}}`), nil)
	require.Contains(t, string(r.Body), "$near")
	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "GET", coll+"?"+q("where", `{"p":`), nil)
	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "GET", coll+"?"+q("orderBy", `[{"field":"p","dir":"sideways"}]`), nil)
}

const tasksSchema = `{"collections":{"tasks":{
	"fields": {
		"title":    {"type": "string", "required": true, "maxLength": 20},
		"status":   {"type": "string", "enum": ["active", "done"]},
		"priority": {"type": "integer", "minimum": 0}
	},
	"additionalFields": false
}}}`

func TestSchemaValidationAndUnknownCollections(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/schema"
	s.must(http.StatusOK, "alice", "GET", room+"/me", nil)
	s.must(http.StatusOK, "bob", "GET", room+"/me", nil)

	// Open mode until a schema is set.
	require.Equal(t, "null", string(s.must(http.StatusOK, "bob", "GET", room+"/schema", nil).Body))
	s.must(http.StatusCreated, "bob", "POST", room+"/collections/anything/records", map[string]any{"data": map[string]any{}})
	s.mustErr(http.StatusForbidden, "forbidden", "bob", "PUT", room+"/schema", tasksSchema)
	r := s.mustErr(http.StatusBadRequest, "bad_request", "alice", "PUT", room+"/schema", `{"collections":{"tasks":{"access":{"write":"viewer"}}}}`)
	require.Contains(t, string(r.Body), "collections.tasks.access.write")
	s.must(http.StatusOK, "alice", "PUT", room+"/schema", tasksSchema)
	got := s.must(http.StatusOK, "bob", "GET", room+"/schema", nil).JSON(t)
	require.Contains(t, got["collections"], "tasks")

	s.mustErr(http.StatusNotFound, "unknown_collection", "bob", "POST", room+"/collections/anything/records", map[string]any{"data": map[string]any{}})
	s.mustErr(http.StatusNotFound, "unknown_collection", "bob", "GET", room+"/collections/anything/records", nil)

	r = s.mustErr(http.StatusUnprocessableEntity, "invalid", "bob", "POST", room+"/collections/tasks/records",
		map[string]any{"data": map[string]any{"status": "lost", "priority": -1, "extra": 1}})
	details := r.JSON(t)["error"].(map[string]any)["details"].([]any)
	var paths []string
	for _, d := range details {
		paths = append(paths, d.(map[string]any)["path"].(string))
	}
	require.ElementsMatch(t, []string{"title", "status", "priority", "extra"}, paths)

	s.must(http.StatusCreated, "bob", "POST", room+"/collections/tasks/records", map[string]any{"id": "t", "data": map[string]any{"title": "ok", "priority": 2}})
	// The merged result is validated: a put that breaks it changes nothing.
	s.mustErr(http.StatusUnprocessableEntity, "invalid", "bob", "PUT", room+"/collections/tasks/records/t", map[string]any{"data": map[string]any{"title": strings.Repeat("x", 21)}})
	got = s.must(http.StatusOK, "bob", "GET", room+"/collections/tasks/records/t", nil).JSON(t)
	require.EqualValues(t, 1, got["version"])
}

// A server-wide default schema (RECORDROOM_SCHEMA) applies to rooms without their own.
func TestDefaultSchemaApplies(t *testing.T) {
	t.Parallel()
	s := newServerWithSchema(t, []byte(tasksSchema))
	s.mustErr(http.StatusNotFound, "unknown_collection", "alice", "GET", "/v1/rooms/d/collections/notes/records", nil)
	s.mustErr(http.StatusUnprocessableEntity, "invalid", "alice", "POST", "/v1/rooms/d/collections/tasks/records", map[string]any{"data": map[string]any{}})
}

// A new schema is held to sizes a parsed schema's memory can afford (docs/schemas.md): too many
// collections, or a compiled form over 8 MiB, is 400 bad_request saying which.
func TestSchemaSizeLimits(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/schemasize"
	s.must(http.StatusOK, "alice", "GET", room+"/me", nil)

	colls := make([]string, schema.MaxNewCollections+1)
	for i := range colls {
		colls[i] = fmt.Sprintf(`"c%d": {}`, i)
	}
	r := s.mustErr(http.StatusBadRequest, "bad_request", "alice", "PUT", room+"/schema", `{"collections": {`+strings.Join(colls, ",")+`}}`)
	require.Contains(t, string(r.Body), "invalid schema: collections: has 257 collections, at most 256 are allowed")

	anyOf := `{"anyOf": [` + strings.Repeat(`{},`, 2998) + `{}]}`
	heavy := `{"collections": {"a": {"fields": {"x": ` + anyOf + `}}, "b": {"fields": {"x": ` + anyOf + `}}, "c": {"fields": {"x": ` + anyOf + `}}}}`
	r = s.mustErr(http.StatusBadRequest, "bad_request", "alice", "PUT", room+"/schema", heavy)
	require.Contains(t, string(r.Body), "MiB of server memory, at most 8 MiB are allowed")

	big := `{"collections": {"a": {"fields": {"x": {"description": "` + strings.Repeat("d", schema.MaxDocumentBytes) + `"}}}}}`
	r = s.mustErr(http.StatusBadRequest, "bad_request", "alice", "PUT", room+"/schema", big)
	require.Contains(t, string(r.Body), "at most 262144 (256 KiB) are allowed")
	require.Equal(t, "null", string(s.must(http.StatusOK, "alice", "GET", room+"/schema", nil).Body), "nothing changed")
}
