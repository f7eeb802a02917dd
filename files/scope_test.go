package files_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/protocol"
)

// self: any role reads, members and admins write, viewers do not.
func TestSelfScopeRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.upload(t, bob, "w1", self("a.txt"), "a")
	e.upload(t, alice, "w1", self("b.txt"), "b")

	_, err := e.svc.Upload(ctx, who(vic, room, "w1"), self("v.txt"), strings.NewReader("v"), "", 1)
	requireCode(t, err, protocol.Forbidden)
	requireCode(t, e.svc.Delete(ctx, who(vic, room, "w1"), self("a.txt")), protocol.Forbidden)
	_, err = e.svc.Upload(ctx, who(anon, room, "w1"), self("v.txt"), strings.NewReader("v"), "", 1)
	requireCode(t, err, protocol.Forbidden)

	for _, c := range []access.Caller{alice, bob, vic, anon} {
		require.Equal(t, "a", e.download(t, c, "w1", self("a.txt")))
	}
	_, err = e.svc.List(ctx, who(access.Caller{UserID: "nobody"}, room, "w1"), self(""))
	requireCode(t, err, protocol.Forbidden) // no role at all
}

// widget: another widget's files are readable by any role and writable by none.
func TestWidgetScopeIsReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.upload(t, bob, "w1", self("shared.txt"), "shared")

	require.Equal(t, "shared", e.download(t, vic, "w2", ofWidget("w1", "shared.txt")))
	require.Equal(t, []string{"shared.txt"}, e.paths(t, anon, "w2", ofWidget("w1", "")))
	list, err := e.svc.List(ctx, who(vic, room, "w2"), ofWidget("w1", ""))
	require.NoError(t, err)
	require.Equal(t, string(files.ScopeWidget), list[0].Scope, "metadata names the scope it was asked through")

	for _, c := range []access.Caller{alice, bob} {
		_, err := e.svc.Upload(ctx, who(c, room, "w2"), ofWidget("w1", "shared.txt"), strings.NewReader("x"), "", 1)
		requireCode(t, err, protocol.Forbidden)
		requireCode(t, e.svc.Delete(ctx, who(c, room, "w2"), ofWidget("w1", "shared.txt")), protocol.Forbidden)
	}
	_, err = e.svc.List(ctx, who(vic, room, "w2"), ofWidget("", ""))
	requireCode(t, err, protocol.BadRequest) // which widget?
	require.Equal(t, "shared", e.download(t, vic, "w1", self("shared.txt")), "untouched")
}

// user: each user's own files, whatever the role, and nobody else's: another user's files
// cannot even be named, so they are not found, for admins too. Anonymous callers have none.
func TestUserScopeIsPrivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.upload(t, bob, "w1", user("diary.txt"), "bob's")
	e.upload(t, vic, "w1", user("diary.txt"), "vic's") // a viewer writes their own files

	require.Equal(t, "bob's", e.download(t, bob, "w2", user("diary.txt")), "user files follow the user across widgets")
	require.Equal(t, "vic's", e.download(t, vic, "w1", user("diary.txt")))
	_, _, err := e.svc.Presign(ctx, who(alice, room, "w1"), user("diary.txt"))
	requireCode(t, err, protocol.NotFound)
	_, _, err = e.svc.Open(ctx, who(alice, room, "w1"), user("diary.txt"))
	requireCode(t, err, protocol.NotFound)
	requireCode(t, e.svc.Delete(ctx, who(alice, room, "w1"), user("diary.txt")), protocol.NotFound)
	require.Empty(t, e.paths(t, alice, "w1", user("")))
	require.Equal(t, []string{"diary.txt"}, e.paths(t, bob, "w1", user("")))
	require.Empty(t, e.paths(t, bob, "w1", self("")), "user files are not the widget's")

	_, err = e.svc.List(ctx, who(anon, room, "w1"), user(""))
	requireCode(t, err, protocol.Forbidden)
	_, err = e.svc.Upload(ctx, who(anon, room, "w1"), user("x"), strings.NewReader("x"), "", 1)
	requireCode(t, err, protocol.Forbidden)

	require.NoError(t, e.svc.Delete(ctx, who(vic, room, "w1"), user("diary.txt")))
	require.Equal(t, "bob's", e.download(t, bob, "w1", user("diary.txt")))
}

// A user id holding '/' or dots stays one key segment: it cannot reach another user's files.
func TestUserIDsCannotReachOtherScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.upload(t, bob, "w1", user("x/secret.txt"), "bob's secret")
	sneaky := access.Caller{UserID: "bob/x", Role: access.Member}
	dots := access.Caller{UserID: "..", Role: access.Member}
	e.upload(t, sneaky, "w1", user("secret.txt"), "sneaky's own")
	e.upload(t, dots, "w1", user("users/bob/x/secret.txt"), "dots' own")

	require.Equal(t, "bob's secret", e.download(t, bob, "w1", user("x/secret.txt")))
	require.Equal(t, "sneaky's own", e.download(t, sneaky, "w1", user("secret.txt")))
	require.Len(t, e.objects(t), 3)
}

// Names are checked before anything else: bad room, widget, scope, path or content type is 400.
func TestBadNamesAreBadRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	long := strings.Repeat("a", files.MaxPathBytes+1)
	cases := map[string]struct {
		room, widget string
		ref          files.Ref
		ctype        string
	}{
		"dot-dot segment":     {room, "w1", self("a/../b"), ""},
		"dot-dot alone":       {room, "w1", self(".."), ""},
		"dot segment":         {room, "w1", self("./a"), ""},
		"leading slash":       {room, "w1", self("/a"), ""},
		"empty segment":       {room, "w1", self("a//b"), ""},
		"trailing slash":      {room, "w1", self("a/"), ""},
		"empty path":          {room, "w1", self(""), ""},
		"too long":            {room, "w1", self(long), ""},
		"backslash":           {room, "w1", self(`a\b`), ""},
		"NUL":                 {room, "w1", self("a\x00b"), ""},
		"newline":             {room, "w1", self("a\nb"), ""},
		"not UTF-8":           {room, "w1", self("a\xffb"), ""},
		"unknown scope":       {room, "w1", files.Ref{Scope: "team", Path: "a"}, ""},
		"no scope":            {room, "w1", files.Ref{Path: "a"}, ""},
		"bad widget id":       {room, "w/1", self("a"), ""},
		"bad other widget id": {room, "w1", ofWidget("w 2", "a"), ""},
		"bad room id":         {"room/1", "w1", self("a"), ""},
		"bad content type":    {room, "w1", self("a"), "text/plain\r\nX-Evil: 1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := e.svc.Upload(ctx, who(alice, tc.room, tc.widget), tc.ref, strings.NewReader("x"), tc.ctype, 1)
			requireCode(t, err, protocol.BadRequest)
			if tc.ctype == "" {
				_, _, err = e.svc.Presign(ctx, who(alice, tc.room, tc.widget), tc.ref)
				requireCode(t, err, protocol.BadRequest)
			}
		})
	}
	t.Run("the longest path works", func(t *testing.T) {
		t.Parallel()
		p := strings.Repeat("é", files.MaxPathBytes/2)
		e.upload(t, bob, "w1", self(p), "long")
		require.Equal(t, "long", e.download(t, bob, "w1", self(p)))
	})
}
