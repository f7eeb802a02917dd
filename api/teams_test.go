package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
)

func TestTeamsCreateReadRenameDelete(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/teams"
	for _, u := range []string{"alice", "bob", "carol"} {
		s.must(http.StatusOK, u, "GET", room+"/me", nil)
	}
	s.must(http.StatusOK, "alice", "PATCH", room+"/users/carol", map[string]any{"role": "viewer"})

	s.mustErr(http.StatusForbidden, "forbidden", "bob", "POST", room+"/teams", map[string]any{"name": "Design"})
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "POST", room+"/teams", map[string]any{"name": "Design"})
	team := s.must(http.StatusCreated, "alice", "POST", room+"/teams", map[string]any{"id": "design", "name": "Design"}).JSON(t)
	require.Equal(t, "design", team["id"])
	require.Equal(t, "Design", team["name"])
	require.Equal(t, "alice", team["createdBy"])
	require.Regexp(t, timestamp, team["createdAt"])
	generated := s.must(http.StatusCreated, "alice", "POST", room+"/teams", map[string]any{"name": "Ops"}).JSON(t)
	require.Regexp(t, `^[0-9a-f-]{36}$`, generated["id"], "a UUIDv7 when no id is sent")

	s.mustErr(http.StatusConflict, "conflict", "alice", "POST", room+"/teams", map[string]any{"id": "design", "name": "Again"})
	s.mustErr(http.StatusUnprocessableEntity, "invalid", "alice", "POST", room+"/teams", map[string]any{"name": "  "})
	s.mustErr(http.StatusUnprocessableEntity, "invalid", "alice", "POST", room+"/teams", map[string]any{})
	s.mustErr(http.StatusUnprocessableEntity, "invalid", "alice", "POST", room+"/teams", map[string]any{"id": "no spaces", "name": "x"})
	s.mustErr(http.StatusBadRequest, "bad_request", "alice", "POST", room+"/teams", map[string]any{"name": "x", "colour": "red"})

	list := s.must(http.StatusOK, "bob", "GET", room+"/teams", nil).JSON(t)["teams"].([]any)
	require.Len(t, list, 2, "the failed creates left nothing behind")
	require.Equal(t, "design", list[0].(map[string]any)["id"], "oldest first")
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "GET", room+"/teams", nil)
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "GET", room+"/teams/design", nil)
	require.Equal(t, "Design", s.must(http.StatusOK, "bob", "GET", room+"/teams/design", nil).JSON(t)["name"])
	s.mustErr(http.StatusNotFound, "not_found", "bob", "GET", room+"/teams/nope", nil)

	s.mustErr(http.StatusForbidden, "forbidden", "bob", "PATCH", room+"/teams/design", map[string]any{"name": "Mine"})
	s.mustErr(http.StatusNotFound, "not_found", "alice", "PATCH", room+"/teams/nope", map[string]any{"name": "x"})
	renamed := s.must(http.StatusOK, "alice", "PATCH", room+"/teams/design", map[string]any{"name": "Product design"}).JSON(t)
	require.Equal(t, "Product design", renamed["name"])
	require.GreaterOrEqual(t, renamed["updatedAt"], team["updatedAt"])

	s.mustErr(http.StatusForbidden, "forbidden", "bob", "DELETE", room+"/teams/design", nil)
	s.must(http.StatusNoContent, "alice", "DELETE", room+"/teams/design", nil)
	s.mustErr(http.StatusNotFound, "not_found", "alice", "DELETE", room+"/teams/design", nil)
	s.mustErr(http.StatusNotFound, "not_found", "bob", "GET", room+"/teams/design/members", nil)
}

func TestTeamMembersAddRemoveAndLeave(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/members"
	const members = room + "/teams/design/members"
	for _, u := range []string{"alice", "bob", "carol", "frank"} {
		s.must(http.StatusOK, u, "GET", room+"/me", nil)
	}
	s.must(http.StatusCreated, "alice", "POST", room+"/teams", map[string]any{"id": "design", "name": "Design"})

	bob := s.must(http.StatusCreated, "alice", "POST", members, map[string]any{"userId": "bob"}).JSON(t)
	require.Equal(t, map[string]any{"teamId": "design", "userId": "bob", "role": "member", "status": "active", "invitedBy": "alice"},
		pick(bob, "teamId", "userId", "role", "status", "invitedBy"))
	s.must(http.StatusCreated, "alice", "POST", members, map[string]any{"userId": "frank", "role": "admin"})

	for _, c := range []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"userId": "bob"}, 409, "conflict"},
		{map[string]any{"userId": "nobody"}, 404, "not_found"},
		{map[string]any{"email": "not an email"}, 422, "invalid"},
		{map[string]any{"email": "Dave <dave@example.org>"}, 422, "invalid"},
		{map[string]any{"userId": "carol", "email": "c@example.org"}, 422, "invalid"},
		{map[string]any{}, 422, "invalid"},
		{map[string]any{"userId": "carol", "role": "owner"}, 422, "invalid"},
	} {
		s.mustErr(c.status, c.code, "alice", "POST", members, c.body)
	}
	s.mustErr(http.StatusNotFound, "not_found", "alice", "POST", room+"/teams/nope/members", map[string]any{"userId": "carol"})
	s.mustErr(http.StatusForbidden, "forbidden", "bob", "POST", members, map[string]any{"userId": "carol"})
	require.Len(t, s.must(http.StatusOK, "carol", "GET", members, nil).JSON(t)["members"], 2, "nothing half-written")

	// Leaving: any user may end their own membership; only admins end others'.
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "DELETE", members+"/"+bob["id"].(string), nil)
	s.mustErr(http.StatusNotFound, "not_found", "bob", "DELETE", room+"/teams/other/members/"+bob["id"].(string), nil)
	s.must(http.StatusNoContent, "bob", "DELETE", members+"/"+bob["id"].(string), nil)
	s.mustErr(http.StatusNotFound, "not_found", "alice", "DELETE", members+"/"+bob["id"].(string), nil)

	// A user removed from the room leaves its teams; their records stay theirs.
	s.must(http.StatusCreated, "frank", "POST", room+"/collections/notes/records", map[string]any{"id": "n1", "data": map[string]any{}})
	s.must(http.StatusNoContent, "alice", "DELETE", room+"/users/frank", nil)
	require.Empty(t, s.must(http.StatusOK, "alice", "GET", members, nil).JSON(t)["members"])
	require.Equal(t, "frank", s.must(http.StatusOK, "alice", "GET", room+"/collections/notes/records/n1", nil).JSON(t)["userId"])
}

func TestInviteLifecycle(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/invites"
	const members = room + "/teams/design/members"
	for _, u := range []string{"alice", "bob", "erin", "mallory"} {
		s.must(http.StatusOK, u, "GET", room+"/me", nil)
	}
	s.must(http.StatusCreated, "alice", "POST", room+"/teams", map[string]any{"id": "design", "name": "Design"})
	invite := func(email string) map[string]any {
		t.Helper()
		return s.must(http.StatusCreated, "alice", "POST", members, map[string]any{"email": email}).JSON(t)
	}
	status := func(id string) string {
		t.Helper()
		for _, m := range s.must(http.StatusOK, "alice", "GET", members, nil).JSON(t)["members"].([]any) {
			if m := m.(map[string]any); m["id"] == id {
				return m["status"].(string) + "/" + str(m["userId"])
			}
		}
		return "gone"
	}

	// Invited before their first access: accepted when they arrive.
	dave := invite("Dave@Example.org")
	require.Equal(t, "dave@example.org", dave["email"], "emails are kept lowercased")
	require.Equal(t, "pending", dave["status"])
	require.Nil(t, dave["userId"])
	s.mustErr(http.StatusConflict, "conflict", "alice", "POST", members, map[string]any{"email": "dave@EXAMPLE.org"})
	require.Equal(t, "pending/", status(dave["id"].(string)))
	s.must(http.StatusOK, "dave", "GET", room+"/me", nil)
	require.Equal(t, "active/dave", status(dave["id"].(string)))

	// Invited while in the room: they see it, and only they can answer it.
	erin := invite("erin@example.org")
	mine := s.must(http.StatusOK, "erin", "GET", room+"/invites", nil).JSON(t)["invites"].([]any)
	require.Len(t, mine, 1)
	require.Equal(t, erin["id"], mine[0].(map[string]any)["id"])
	require.Empty(t, s.must(http.StatusOK, "mallory", "GET", room+"/invites", nil).JSON(t)["invites"])
	s.mustErr(http.StatusNotFound, "not_found", "mallory", "POST", room+"/invites/"+erin["id"].(string)+"/accept", nil)
	s.mustErr(http.StatusNotFound, "not_found", "mallory", "POST", room+"/invites/"+erin["id"].(string)+"/decline", nil)
	s.mustErr(http.StatusNotFound, "not_found", "erin", "POST", room+"/invites/"+dave["id"].(string)+"/accept", nil)
	require.Equal(t, "pending/", status(erin["id"].(string)), "refusals changed nothing")
	declined := s.must(http.StatusOK, "erin", "POST", room+"/invites/"+erin["id"].(string)+"/decline", nil).JSON(t)
	require.Equal(t, "declined", declined["status"])
	s.mustErr(http.StatusNotFound, "not_found", "erin", "POST", room+"/invites/"+erin["id"].(string)+"/accept", nil)
	require.Empty(t, s.must(http.StatusOK, "erin", "GET", room+"/invites", nil).JSON(t)["invites"])

	// A declined invite may be sent again, and accepted.
	again := invite("erin@example.org")
	accepted := s.must(http.StatusOK, "erin", "POST", room+"/invites/"+again["id"].(string)+"/accept", nil).JSON(t)
	require.Equal(t, map[string]any{"status": "active", "userId": "erin"}, pick(accepted, "status", "userId"))

	// An invite to someone in the team already is spent by accepting it.
	s.must(http.StatusCreated, "alice", "POST", members, map[string]any{"userId": "bob"})
	spare := invite("bob@example.org")
	kept := s.must(http.StatusOK, "bob", "POST", room+"/invites/"+spare["id"].(string)+"/accept", nil).JSON(t)
	require.NotEqual(t, spare["id"], kept["id"], "the existing membership is answered")
	require.Equal(t, "gone", status(spare["id"].(string)))
}

func TestInvitesNeedAVerifiedEmail(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const room = "/v1/rooms/unverified"
	s.must(http.StatusOK, "alice", "GET", room+"/me", nil)
	s.must(http.StatusCreated, "alice", "POST", room+"/teams", map[string]any{"id": "t", "name": "T"})
	inv := s.must(http.StatusCreated, "alice", "POST", room+"/teams/t/members", map[string]any{"email": "heidi@example.org"}).JSON(t)

	heidi := auth.Identity{UserID: "heidi", Email: "heidi@example.org", EmailUnverified: true}
	require.Equal(t, http.StatusOK, s.as(heidi, "GET", room+"/me", nil).Status)
	r := s.as(heidi, "GET", room+"/invites", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Empty(t, r.JSON(t)["invites"])
	require.Equal(t, http.StatusNotFound, s.as(heidi, "POST", room+"/invites/"+inv["id"].(string)+"/accept", nil).Status)
	m := s.must(http.StatusOK, "alice", "GET", room+"/teams/t/members", nil).JSON(t)["members"].([]any)
	require.Equal(t, "pending", m[0].(map[string]any)["status"], "an unverified email claims nothing")

	// Anonymous viewers have no invites.
	s.must(http.StatusOK, "alice", "PATCH", room+"/settings", map[string]any{"allowAnonymous": true})
	require.Empty(t, s.must(http.StatusOK, "", "GET", room+"/invites", nil).JSON(t)["invites"])
	s.mustErr(http.StatusNotFound, "not_found", "", "POST", room+"/invites/"+inv["id"].(string)+"/accept", nil)
}

// pick returns the named keys of m.
func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
