package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUsersRolesAndSettings(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/people"

	me := s.must(http.StatusOK, "alice", "GET", room+"/me", nil).JSON(t)
	require.Equal(t, "alice", me["id"])
	require.Equal(t, "admin", me["role"], "the first user becomes admin")
	require.Equal(t, "alice@example.org", me["email"])
	require.Regexp(t, timestamp, me["firstSeenAt"])
	require.Equal(t, "member", s.must(http.StatusOK, "bob", "GET", room+"/me", nil).JSON(t)["role"])

	// Settings: anyone in the room reads them, admins change them.
	settings := s.must(http.StatusOK, "bob", "GET", room+"/settings", nil).JSON(t)
	require.Equal(t, map[string]any{"defaultRole": "member", "allowAnonymous": false}, settings)
	s.mustErr(http.StatusForbidden, "forbidden", "bob", "PATCH", room+"/settings", map[string]any{"defaultRole": "viewer"})
	settings = s.must(http.StatusOK, "alice", "PATCH", room+"/settings", map[string]any{"defaultRole": "viewer"}).JSON(t)
	require.Equal(t, map[string]any{"defaultRole": "viewer", "allowAnonymous": false}, settings)
	require.Equal(t, "viewer", s.must(http.StatusOK, "carol", "GET", room+"/me", nil).JSON(t)["role"])

	users := s.must(http.StatusOK, "bob", "GET", room+"/users", nil).JSON(t)["users"].([]any)
	require.Len(t, users, 3)
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "GET", room+"/users", nil)

	// Roles: admins change them; the last admin cannot leave the room without one.
	s.mustErr(http.StatusForbidden, "forbidden", "bob", "PATCH", room+"/users/carol", map[string]any{"role": "member"})
	s.mustErr(http.StatusConflict, "conflict", "alice", "PATCH", room+"/users/alice", map[string]any{"role": "member"})
	s.mustErr(http.StatusConflict, "conflict", "alice", "DELETE", room+"/users/alice", nil)
	require.Equal(t, "admin", s.must(http.StatusOK, "alice", "PATCH", room+"/users/bob", map[string]any{"role": "admin"}).JSON(t)["role"])
	require.Equal(t, "admin", s.must(http.StatusOK, "bob", "GET", room+"/me", nil).JSON(t)["role"])
	s.must(http.StatusOK, "bob", "PATCH", room+"/users/alice", map[string]any{"role": "member"})

	// Removal: admins only; gone from the list.
	s.mustErr(http.StatusForbidden, "forbidden", "alice", "DELETE", room+"/users/carol", nil)
	s.must(http.StatusNoContent, "bob", "DELETE", room+"/users/carol", nil)
	s.mustErr(http.StatusNotFound, "not_found", "bob", "DELETE", room+"/users/carol", nil)
	users = s.must(http.StatusOK, "bob", "GET", room+"/users", nil).JSON(t)["users"].([]any)
	require.Len(t, users, 2)
}

func TestAnonymousViewersWhereAllowed(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/open"
	s.must(http.StatusOK, "alice", "PUT", room+"/schema", `{"collections":{"pub":{"access":{"read":"viewer"}},"mine":{"access":{"read":"owner","write":"owner"}}}}`)
	s.must(http.StatusCreated, "alice", "POST", room+"/collections/pub/records", map[string]any{"data": map[string]any{}})
	s.must(http.StatusCreated, "alice", "POST", room+"/collections/mine/records", map[string]any{"data": map[string]any{}})

	s.mustErr(http.StatusUnauthorized, "unauthorized", "", "GET", room+"/collections/pub/records", nil)
	s.must(http.StatusOK, "alice", "PATCH", room+"/settings", map[string]any{"allowAnonymous": true})

	r := s.must(http.StatusOK, "", "GET", room+"/collections/pub/records", nil).JSON(t)
	require.Len(t, r["records"], 1)
	r = s.must(http.StatusOK, "", "GET", room+"/collections/mine/records", nil).JSON(t)
	require.Empty(t, r["records"], "anonymous callers own nothing")
	me := s.must(http.StatusOK, "", "GET", room+"/me", nil).JSON(t)
	require.Equal(t, "viewer", me["role"])
	require.Nil(t, me["id"])
	s.mustErr(http.StatusForbidden, "forbidden", "", "POST", room+"/collections/pub/records", map[string]any{"data": map[string]any{}})
	s.mustErr(http.StatusForbidden, "forbidden", "", "PATCH", room+"/settings", map[string]any{"allowAnonymous": false})
}

// User ids that need percent-encoding in a path (a +, an @, a /, a literal %) are managed over
// REST like any other: the path parameter is the id, decoded once.
func TestUserIDsThatNeedEscaping(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/esc"
	s.must(http.StatusOK, "alice", "GET", room+"/me", nil)
	for _, id := range []string{"a+b@x.org", "team/lead", "50%off", "50%41", "ünï cødé"} {
		s.must(http.StatusOK, id, "GET", room+"/me", nil)
		// As url.PathEscape writes it, and with + and @ escaped too, as many clients do.
		plain := room + "/users/" + url.PathEscape(id)
		escaped := strings.NewReplacer("+", "%2B", "@", "%40").Replace(plain)
		got := s.must(http.StatusOK, "alice", "PATCH", plain, map[string]any{"role": "viewer"}).JSON(t)
		require.Equal(t, id, got["id"], plain)
		got = s.must(http.StatusOK, "alice", "PATCH", escaped, map[string]any{"role": "member"}).JSON(t)
		require.Equal(t, id, got["id"], escaped)
		require.Equal(t, "member", s.must(http.StatusOK, id, "GET", room+"/me", nil).JSON(t)["role"], id)
		s.must(http.StatusNoContent, "alice", "DELETE", escaped, nil)
		s.mustErr(http.StatusNotFound, "not_found", "alice", "DELETE", plain, nil)
	}
}
