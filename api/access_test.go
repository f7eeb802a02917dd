package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
)

const matrixSchema = `{"collections":{
	"pub": {"access": {"read": "viewer", "write": "member"}},
	"mem": {"access": {"read": "member", "write": "member"}},
	"adm": {"access": {"read": "admin",  "write": "admin"}},
	"own": {"access": {"read": "owner",  "write": "owner"}}
}}`

// Every access level × role × operation of PROTOCOL.md §2, over REST, with the expected answers
// written out by hand. alice is admin (the room's first user), bob a member, carol a viewer who
// created a record while she was a member.
func TestAccessMatrixOverREST(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/matrix"
	s.must(http.StatusOK, "alice", "GET", room+"/me", nil)
	s.must(http.StatusOK, "bob", "GET", room+"/me", nil)
	s.must(http.StatusOK, "carol", "GET", room+"/me", nil)
	s.must(http.StatusOK, "alice", "PUT", room+"/schema", matrixSchema)

	rec := func(c, id string) string { return room + "/collections/" + c + "/records/" + id }
	data := map[string]any{"data": map[string]any{"x": 1}}
	// Seed: one record per collection by its natural creator, carol's own record while a member.
	for _, seed := range []struct{ user, coll, id string }{
		{"bob", "pub", "b1"}, {"bob", "mem", "b1"}, {"alice", "adm", "a1"},
		{"bob", "own", "b1"}, {"alice", "own", "a1"}, {"carol", "own", "c1"},
		{"bob", "pub", "del-b"}, {"bob", "mem", "del-b"}, {"alice", "adm", "del-a"}, {"bob", "own", "del-b"},
	} {
		s.must(http.StatusOK, seed.user, "PUT", rec(seed.coll, seed.id), data)
	}
	s.must(http.StatusOK, "alice", "PATCH", room+"/users/carol", map[string]string{"role": "viewer"})

	type op struct {
		user, method, path string
		want               int
	}
	create := func(user, coll string, want int) op {
		return op{user, "POST", room + "/collections/" + coll + "/records", want}
	}
	cases := []op{
		// read: viewer level
		{"alice", "GET", rec("pub", "b1"), 200}, {"bob", "GET", rec("pub", "b1"), 200}, {"carol", "GET", rec("pub", "b1"), 200},
		// read: member level
		{"alice", "GET", rec("mem", "b1"), 200}, {"bob", "GET", rec("mem", "b1"), 200}, {"carol", "GET", rec("mem", "b1"), 403},
		// read: admin level
		{"alice", "GET", rec("adm", "a1"), 200}, {"bob", "GET", rec("adm", "a1"), 403}, {"carol", "GET", rec("adm", "a1"), 403},
		// read: owner level — only the creator, whatever the role; others see nothing there
		{"bob", "GET", rec("own", "b1"), 200}, {"alice", "GET", rec("own", "b1"), 404}, {"carol", "GET", rec("own", "b1"), 404},
		{"carol", "GET", rec("own", "c1"), 200}, {"alice", "GET", rec("own", "c1"), 404}, {"bob", "GET", rec("own", "c1"), 404},
		// create
		create("alice", "pub", 201), create("bob", "pub", 201), create("carol", "pub", 403),
		create("alice", "mem", 201), create("bob", "mem", 201), create("carol", "mem", 403),
		create("alice", "adm", 201), create("bob", "adm", 403), create("carol", "adm", 403),
		create("alice", "own", 201), create("bob", "own", 201), create("carol", "own", 403),
		// update someone's record
		{"alice", "PUT", rec("mem", "b1"), 200}, {"bob", "PUT", rec("mem", "b1"), 200}, {"carol", "PUT", rec("mem", "b1"), 403},
		{"alice", "PUT", rec("pub", "b1"), 200}, {"carol", "PUT", rec("pub", "b1"), 403},
		{"alice", "PUT", rec("adm", "a1"), 200}, {"bob", "PUT", rec("adm", "a1"), 403}, {"carol", "PUT", rec("adm", "a1"), 403},
		{"bob", "PUT", rec("own", "b1"), 200}, {"alice", "PUT", rec("own", "b1"), 409}, {"carol", "PUT", rec("own", "b1"), 403},
		{"carol", "PUT", rec("own", "c1"), 403}, // the creator, but now a viewer
		// remove
		{"carol", "DELETE", rec("pub", "del-b"), 403}, {"alice", "DELETE", rec("pub", "del-b"), 204},
		{"carol", "DELETE", rec("mem", "del-b"), 403}, {"bob", "DELETE", rec("mem", "del-b"), 204},
		{"bob", "DELETE", rec("adm", "del-a"), 403}, {"alice", "DELETE", rec("adm", "del-a"), 204},
		{"alice", "DELETE", rec("own", "del-b"), 404}, {"carol", "DELETE", rec("own", "del-b"), 403}, {"bob", "DELETE", rec("own", "del-b"), 204},
	}
	for _, c := range cases {
		r := s.do(c.user, c.method, c.path, data)
		require.Equal(t, c.want, r.Status, "%s %s %s: %s", c.user, c.method, c.path, r.Body)
	}

	// Lists: owner-level collections list only the caller's records, for admins too.
	list := func(user, coll string) []string {
		r := s.must(http.StatusOK, user, "GET", room+"/collections/"+coll+"/records?where="+url.QueryEscape(`{"id":{"$in":["a1","b1","c1"]}}`), nil)
		var ids []string
		for _, rec := range r.JSON(t)["records"].([]any) {
			ids = append(ids, rec.(map[string]any)["id"].(string))
		}
		return ids
	}
	require.Equal(t, []string{"b1"}, list("bob", "own"))
	require.Equal(t, []string{"a1"}, list("alice", "own"))
	require.Equal(t, []string{"c1"}, list("carol", "own"))
	require.Equal(t, []string{"b1"}, list("carol", "pub"))
	s.mustErr(403, "forbidden", "carol", "GET", room+"/collections/mem/records", nil)
	s.mustErr(403, "forbidden", "bob", "GET", room+"/collections/adm/records", nil)
}

// A writer reads what it writes (issue 17.1): a new schema cannot say otherwise, and under one
// stored before that rule, a write whose result its writer could not read is refused, on REST as
// over WebSocket (realtime's TestWSBlindWritesAreRefused), without a byte of the record.
func TestWritersReadWhatTheyWrite(t *testing.T) {
	t.Parallel()
	tdb := testdb.New(t)
	s := newServerAt(t, tdb.URL, nil)
	const room = "/v1/rooms/blind"
	s.must(http.StatusOK, "alice", "GET", room+"/me", nil) // admin
	s.must(http.StatusOK, "bob", "GET", room+"/me", nil)   // member
	for _, acc := range []string{`{"read":"owner","write":"member"}`, `{"read":"owner","write":"admin"}`,
		`{"read":"admin","write":"member"}`, `{"read":"admin","write":"owner"}`} {
		r := s.mustErr(http.StatusBadRequest, "bad_request", "alice", "PUT", room+"/schema", `{"collections":{"c":{"access":`+acc+`}}}`)
		require.Contains(t, string(r.Body), "collections.c.access", acc)
	}

	_, err := tdb.Pool(t).Exec(t.Context(), `UPDATE rooms SET schema = $2 WHERE room_id = $1`, "blind",
		`{"collections":{"drop":{"access":{"read":"owner","write":"member"}},"adm":{"access":{"read":"admin","write":"member"}}}}`)
	require.NoError(t, err)
	s.must(http.StatusCreated, "alice", "POST", room+"/collections/drop/records", map[string]any{"id": "a1", "data": map[string]any{"secret": 1}})
	r := s.mustErr(http.StatusConflict, "conflict", "bob", "PUT", room+"/collections/drop/records/a1", map[string]any{"data": map[string]any{}})
	require.NotContains(t, string(r.Body), "secret")
	s.mustErr(http.StatusNotFound, "not_found", "bob", "DELETE", room+"/collections/drop/records/a1", nil)
	got := s.must(http.StatusOK, "alice", "GET", room+"/collections/drop/records/a1", nil).JSON(t)
	require.Equal(t, map[string]any{"secret": 1.0}, got["data"])
	require.Equal(t, 1.0, got["version"])
	s.must(http.StatusCreated, "bob", "POST", room+"/collections/drop/records", map[string]any{"id": "b1", "data": map[string]any{}})

	s.mustErr(http.StatusForbidden, "forbidden", "bob", "POST", room+"/collections/adm/records", map[string]any{"data": map[string]any{}})
	s.must(http.StatusCreated, "alice", "POST", room+"/collections/adm/records", map[string]any{"id": "x", "data": map[string]any{"secret": 2}})
	r = s.mustErr(http.StatusForbidden, "forbidden", "bob", "PUT", room+"/collections/adm/records/x", map[string]any{"data": map[string]any{}})
	require.NotContains(t, string(r.Body), "secret")
}
