package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
)

// Hostile and malformed input gets its documented 4xx, stores nothing, and leaves the server
// serving everyone else.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const coll = "/v1/rooms/h/collections/c/records"
	s.must(http.StatusCreated, "alice", "POST", coll, map[string]any{"id": "keep", "data": map[string]any{"a": 1}})

	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"malformed json", "POST", coll, `{"data": {`, 400, "bad_request"},
		{"data not an object", "POST", coll, `{"data": [1,2]}`, 400, "bad_request"},
		{"data missing", "POST", coll, `{"id": "x"}`, 400, "bad_request"},
		{"wrong type", "POST", coll, `{"id": 5, "data": {}}`, 400, "bad_request"},
		{"unknown field", "POST", coll, `{"dta": {}}`, 400, "bad_request"},
		{"trailing data", "POST", coll, `{"data": {}} {"data": {}}`, 400, "bad_request"},
		{"5 MiB body", "POST", coll, `{"data": {"x": "` + strings.Repeat("a", 5<<20) + `"}}`, 413, "too_large"},
		{"5000-deep nesting", "POST", coll, `{"data": ` + deep + `}`, 400, "bad_request"},
		{"65-deep nesting", "POST", coll, `{"data": ` + strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65) + `}`, 400, "bad_request"},
		{"NUL in data", "POST", coll, `{"data": {"a": "x\u0000"}}`, 400, "bad_request"},
		{"NUL in a key", "PUT", coll + "/k", `{"data": {"\u0000": 1}}`, 400, "bad_request"},
		{"lone surrogate", "POST", coll, `{"data": {"a": ["\ud800"]}}`, 400, "bad_request"},
		{"invalid UTF-8", "POST", coll, "{\"data\": {\"a\": \"\xc3\x28\"}}", 400, "bad_request"},
		{"huge exponent", "POST", coll, `{"data": {"n": 1e131071}}`, 400, "bad_request"},
		{"sql in id", "PUT", coll + "/" + url.PathEscape("x'; DROP TABLE records;--"), `{"data": {}}`, 400, "bad_request"},
		{"long id", "POST", coll, `{"id": "` + strings.Repeat("i", 129) + `", "data": {}}`, 400, "bad_request"},
		{"bad room id", "GET", "/v1/rooms/" + url.PathEscape("room with spaces") + "/me", nil, 400, "bad_request"},
		{"long room id", "GET", "/v1/rooms/" + strings.Repeat("r", 129) + "/me", nil, 400, "bad_request"},
		{"bad collection", "GET", "/v1/rooms/h/collections/" + url.PathEscape("$users") + "/records", nil, 400, "bad_request"},
		{"unknown operator", "GET", coll + "?where=" + url.QueryEscape(`{"a":{"$where":"1"}}`), nil, 400, "bad_request"},
		{"deep where", "GET", coll + "?where=" + url.QueryEscape(strings.Repeat(`{"$not":`, 5000)+"{}"+strings.Repeat("}", 5000)), nil, 400, "bad_request"},
		{"bad settings", "PATCH", "/v1/rooms/h/settings", `{"defaultRole": "owner"}`, 422, "invalid"},
		{"bad role", "PATCH", "/v1/rooms/h/users/alice", `{"role": "root"}`, 422, "invalid"},
		{"unknown user", "PATCH", "/v1/rooms/h/users/nobody", `{"role": "member"}`, 404, "not_found"},
	}
	for _, c := range cases {
		r := s.do("alice", c.method, c.path, c.body)
		require.Equal(t, c.status, r.Status, "%s: %s", c.name, truncateBody(r.Body))
		require.Equal(t, c.code, r.Code(t), c.name)
		require.NotEmpty(t, r.JSON(t)["error"].(map[string]any)["message"], c.name)
	}

	// A field name that looks like SQL is just a field name: it matches nothing, breaks nothing.
	r := s.must(http.StatusOK, "alice", "GET", coll+"?where="+url.QueryEscape(`{"a'; DROP TABLE records;--":1}`), nil).JSON(t)
	require.Empty(t, r["records"])

	// Nothing was stored; the server still serves.
	r = s.must(http.StatusOK, "alice", "GET", coll, nil).JSON(t)
	require.Len(t, r["records"], 1)
	s.must(http.StatusOK, "bob", "GET", "/v1/rooms/h/me", nil)
}

func truncateBody(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func TestTokensAreRequiredAndVerified(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	r := s.mustErr(http.StatusUnauthorized, "unauthorized", "", "GET", "/v1/rooms/t/me", nil)
	require.Contains(t, string(r.Body), "token")
	s.mustErr(http.StatusUnauthorized, "unauthorized", "", "GET", "/v1/rooms/t/me", nil, "Authorization", "Bearer not.a.jwt")
	s.mustErr(http.StatusUnauthorized, "unauthorized", "", "GET", "/v1/rooms/t/me", nil, "Authorization", "Basic YWxpY2U6eA==")
}

// Rooms do not see each other: records, users and roles are per room.
func TestRoomIsolation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.must(http.StatusCreated, "alice", "POST", "/v1/rooms/one/collections/c/records", map[string]any{"id": "x", "data": map[string]any{"secret": 1}})
	s.must(http.StatusOK, "bob", "GET", "/v1/rooms/two/me", nil)
	me := s.must(http.StatusOK, "alice", "GET", "/v1/rooms/two/me", nil).JSON(t)
	require.Equal(t, "member", me["role"], "admin of one is a newcomer in two")

	s.mustErr(http.StatusNotFound, "not_found", "alice", "GET", "/v1/rooms/two/collections/c/records/x", nil)
	r := s.must(http.StatusOK, "alice", "GET", "/v1/rooms/two/collections/c/records", nil).JSON(t)
	require.Empty(t, r["records"])
	users := s.must(http.StatusOK, "bob", "GET", "/v1/rooms/two/users", nil).JSON(t)["users"].([]any)
	require.Len(t, users, 2)
}

// Anonymous requests never create rooms: only a caller with a valid token does.
func TestAnonymousCallersCreateNoRooms(t *testing.T) {
	t.Parallel()
	tdb := testdb.New(t)
	s := newServerAt(t, tdb.URL, nil)
	for i := range 20 {
		s.mustErr(http.StatusUnauthorized, "unauthorized", "", "GET", fmt.Sprintf("/v1/rooms/ghost-%d/collections/c/records", i), nil)
	}
	var rooms int
	require.NoError(t, tdb.Pool(t).QueryRow(context.Background(), "SELECT count(*) FROM rooms").Scan(&rooms))
	require.Zero(t, rooms)
	s.must(http.StatusOK, "alice", "GET", "/v1/rooms/ghost-1/me", nil)
	require.NoError(t, tdb.Pool(t).QueryRow(context.Background(), "SELECT count(*) FROM rooms").Scan(&rooms))
	require.Equal(t, 1, rooms)
}
