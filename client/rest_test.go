package client

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

func TestRecordsOverREST(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	r := s.rest("r1", "alice")
	for i := range 5 {
		_, err := r.CreateRecord(ctx, "tasks", "", map[string]any{"n": i})
		require.NoError(t, err)
	}
	q := Query{OrderBy: []OrderKey{Desc("n")}, Limit: 2, Where: map[string]any{"n": map[string]any{"$gte": 1}}}
	page, err := r.ListRecords(ctx, "tasks", q, "")
	require.NoError(t, err)
	require.Len(t, page.Records, 2)
	require.NotEmpty(t, page.Next)
	all, err := r.ListAllRecords(ctx, "tasks", q)
	require.NoError(t, err)
	require.Len(t, all, 4)
	require.Equal(t, page.Records[0].ID, all[0].ID)
	var first struct{ N int }
	require.NoError(t, all[0].Decode(&first))
	require.Equal(t, 4, first.N)

	rec, err := r.CreateRecord(ctx, "tasks", "t:1.x", map[string]any{"title": "colon in the id"})
	require.NoError(t, err)
	require.Equal(t, "t:1.x", rec.ID)
	require.Equal(t, "alice", rec.UserID)
	_, err = r.CreateRecord(ctx, "tasks", "t:1.x", map[string]any{})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, CodeConflict, e.Code)
	require.Equal(t, http.StatusConflict, e.HTTPStatus)

	rec, err = r.PutRecord(ctx, "tasks", "t:1.x", map[string]any{"done": true}, PutOptions{IfVersion: Version(1)})
	require.NoError(t, err)
	require.Equal(t, int64(2), rec.Version)
	require.JSONEq(t, `{"title":"colon in the id","done":true}`, string(rec.Data))
	rec, err = r.PutRecord(ctx, "tasks", "t:1.x", map[string]any{"only": 1}, PutOptions{Replace: true})
	require.NoError(t, err)
	require.JSONEq(t, `{"only":1}`, string(rec.Data))
	got, err := r.GetRecord(ctx, "tasks", "t:1.x")
	require.NoError(t, err)
	require.Equal(t, rec, got)

	require.ErrorIs(t, r.RemoveRecord(ctx, "tasks", "t:1.x", RemoveOptions{IfVersion: Version(1)}), ErrConflict)
	require.NoError(t, r.RemoveRecord(ctx, "tasks", "t:1.x", RemoveOptions{IfVersion: Version(3)}))
	_, err = r.GetRecord(ctx, "tasks", "t:1.x")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = r.ListRecords(ctx, "tasks", Query{Where: map[string]any{"$where": 1}}, "")
	require.ErrorIs(t, err, ErrBadRequest)

	anonymous, err := NewREST(s.url(), "r1", Options{})
	require.NoError(t, err)
	_, err = anonymous.ListRecords(ctx, "tasks", Query{}, "")
	require.ErrorIs(t, err, ErrUnauthorized)
	_, err = NewREST("ftp://x", "r1", Options{})
	require.Error(t, err)
}

func TestAdminRoutes(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	alice, bob, carol, dave := s.rest("r1", "alice"), s.rest("r1", "bob"), s.rest("r1", "carol"), s.rest("r1", "dave")
	me, err := alice.Me(ctx)
	require.NoError(t, err)
	require.Equal(t, User{ID: "alice", UserData: protocol.UserData{Role: "admin", Email: "alice@example.org",
		FirstSeenAt: me.FirstSeenAt, LastSeenAt: me.LastSeenAt}}, me)
	for _, u := range []*REST{bob, carol, dave} {
		_, err := u.Me(ctx)
		require.NoError(t, err)
	}
	users, err := bob.Users(ctx)
	require.NoError(t, err)
	require.Len(t, users, 4)
	u, err := alice.SetRole(ctx, "dave", "viewer")
	require.NoError(t, err)
	require.Equal(t, "viewer", u.Role)
	_, err = bob.SetRole(ctx, "dave", "admin")
	require.ErrorIs(t, err, ErrForbidden)

	settings, err := alice.UpdateSettings(ctx, SettingsPatch{AllowAnonymous: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, Settings{DefaultRole: "member", AllowAnonymous: true}, settings)
	settings, err = bob.Settings(ctx)
	require.NoError(t, err)
	require.True(t, settings.AllowAnonymous)
	anonymous, err := NewREST(s.url(), "r1", Options{})
	require.NoError(t, err)
	me, err = anonymous.Me(ctx)
	require.NoError(t, err)
	require.Equal(t, User{UserData: protocol.UserData{Role: "viewer"}, Anonymous: true}, me)

	schema, err := bob.Schema(ctx)
	require.NoError(t, err)
	require.Nil(t, schema, "open mode")
	_, err = alice.SetSchema(ctx, map[string]any{"collections": map[string]any{"notes": map[string]any{}}})
	require.NoError(t, err)
	schema, err = bob.Schema(ctx)
	require.NoError(t, err)
	require.Contains(t, string(schema), `"notes"`)
	_, err = alice.SetSchema(ctx, map[string]any{"collections": 1})
	require.ErrorIs(t, err, ErrBadRequest)

	team, err := alice.CreateTeam(ctx, "design", "Design")
	require.NoError(t, err)
	require.Equal(t, "alice", team.CreatedBy)
	team, err = alice.RenameTeam(ctx, "design", "Product design")
	require.NoError(t, err)
	got, err := bob.Team(ctx, "design")
	require.NoError(t, err)
	require.Equal(t, team, got)
	teams, err := bob.Teams(ctx)
	require.NoError(t, err)
	require.Len(t, teams, 1)

	member, err := alice.AddTeamMember(ctx, "design", TeamMemberAdd{UserID: "bob", Role: "admin"})
	require.NoError(t, err)
	require.Equal(t, "active", member.Status)
	invite, err := alice.AddTeamMember(ctx, "design", TeamMemberAdd{Email: "carol@example.org"})
	require.NoError(t, err)
	require.Equal(t, "pending", invite.Status)
	declined, err := alice.AddTeamMember(ctx, "design", TeamMemberAdd{Email: "dave@example.org"})
	require.NoError(t, err)
	_, err = alice.AddTeamMember(ctx, "design", TeamMemberAdd{})
	require.ErrorIs(t, err, ErrInvalid)

	invites, err := carol.Invites(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{invite.ID}, []string{invites[0].ID})
	accepted, err := carol.AcceptInvite(ctx, invite.ID)
	require.NoError(t, err)
	require.Equal(t, "carol", accepted.UserID)
	d, err := dave.DeclineInvite(ctx, declined.ID)
	require.NoError(t, err)
	require.Equal(t, "declined", d.Status)
	members, err := bob.TeamMembers(ctx, "design")
	require.NoError(t, err)
	require.Len(t, members, 3)

	require.NoError(t, bob.RemoveTeamMember(ctx, "design", member.ID), "anyone may leave a team")
	require.NoError(t, alice.DeleteTeam(ctx, "design"))
	_, err = bob.Team(ctx, "design")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, alice.RemoveUser(ctx, "dave"))
	require.ErrorIs(t, alice.RemoveUser(ctx, "alice"), ErrConflict, "the last admin stays")
}

func TestFiles(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := testContext(t)
	r := s.rest("r1", "alice")
	f, err := r.UploadFile(ctx, ScopeSelf, "docs/a b%.txt", strings.NewReader("hello"), "text/plain")
	require.NoError(t, err)
	require.Equal(t, File{Path: "docs/a b%.txt", Scope: "self", Size: 5, ContentType: "text/plain", ETag: f.ETag,
		CreatedBy: "alice", UpdatedAt: f.UpdatedAt}, f)
	_, err = r.UploadFile(ctx, ScopeUser, "mine.bin", strings.NewReader("private"), "")
	require.NoError(t, err)

	files, err := r.ListFiles(ctx, ScopeSelf, "docs/")
	require.NoError(t, err)
	require.Equal(t, []File{f}, files)
	u, err := r.FileURL(ctx, ScopeSelf, "docs/a b%.txt")
	require.NoError(t, err)
	require.NotEmpty(t, u.URL)
	require.False(t, u.ExpiresAt.IsZero())

	read := func(scope Scope, path string, opts DownloadOptions, from *REST) string {
		t.Helper()
		fc, err := from.DownloadFile(ctx, scope, path, opts)
		require.NoError(t, err)
		defer fc.Body.Close()
		b, err := io.ReadAll(fc.Body)
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, "hello", read(ScopeSelf, "docs/a b%.txt", DownloadOptions{}, r))
	require.Equal(t, "hello", read(ScopeSelf, "docs/a b%.txt", DownloadOptions{Proxy: true}, r))
	require.Equal(t, "private", read(ScopeUser, "mine.bin", DownloadOptions{}, r))
	other, err := NewREST(s.url(), "r1", Options{Widget: "w2", TokenSource: StaticToken(s.token("bob", time.Hour))})
	require.NoError(t, err)
	require.Equal(t, "hello", read(ScopeWidget("default"), "docs/a b%.txt", DownloadOptions{Proxy: true}, other))
	_, err = other.UploadFile(ctx, ScopeWidget("default"), "x", strings.NewReader("no"), "")
	require.ErrorIs(t, err, ErrForbidden)

	require.NoError(t, r.DeleteFile(ctx, ScopeSelf, "docs/a b%.txt"))
	_, err = r.DownloadFile(ctx, ScopeSelf, "docs/a b%.txt", DownloadOptions{})
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, r.DeleteFile(ctx, ScopeSelf, "docs/a b%.txt"), ErrNotFound)
}
