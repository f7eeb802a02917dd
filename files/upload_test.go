package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/protocol"
)

// An upload is listed from the database, and its presigned URL, made for the API's host,
// downloads exactly its bytes over HTTP.
func TestUploadListPresignDownload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	content := "hello, files \x00\xff"

	f := e.upload(t, bob, "w1", self("docs/a b.txt"), content)
	require.Equal(t, "docs/a b.txt", f.Path)
	require.Equal(t, string(files.ScopeSelf), f.Scope)
	require.Equal(t, int64(len(content)), f.Size)
	require.Equal(t, "text/plain", f.ContentType)
	require.Equal(t, "bob", f.CreatedBy)
	require.NotEmpty(t, f.ETag)
	require.WithinDuration(t, time.Now(), f.UpdatedAt.Time, time.Minute)
	require.Equal(t, []string{"rooms/room-1/widgets/w1/docs/a b.txt"}, e.objects(t))

	require.Equal(t, []string{"docs/a b.txt"}, e.paths(t, vic, "w1", self("docs/")))
	require.Equal(t, []string{"docs/a b.txt"}, e.paths(t, vic, "w1", self("")))
	require.Empty(t, e.paths(t, vic, "w1", self("doc/")))
	require.Empty(t, e.paths(t, vic, "w2", self("")), "another widget's self scope is its own")

	u, expires, err := e.svc.Presign(ctx, who(vic, room, "w1"), self("docs/a b.txt"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u, e.public.URL+"/s3/"+e.store.Bucket()+"/rooms/room-1/widgets/w1/docs/"), u)
	require.WithinDuration(t, time.Now().Add(files.DefaultPresignTTL), expires, time.Minute)
	status, body := e.get(t, u)
	require.Equal(t, 200, status, body)
	require.Equal(t, content, body)

	rc, opened, err := e.svc.Open(ctx, who(vic, room, "w1"), self("docs/a b.txt"))
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	require.Equal(t, content, string(b))
	require.Equal(t, f, opened)

	stat, err := e.svc.Stat(ctx, who(vic, room, "w1"), self("docs/a b.txt"))
	require.NoError(t, err)
	require.Equal(t, f, stat)
}

// The metadata reads as the contract says, with the contract's timestamp format.
func TestFileJSON(t *testing.T) {
	t.Parallel()
	require.Equal(t, "2006-01-02T15:04:05.000000Z", protocol.TimeLayout)
	f := files.File{
		Path: "a.txt", Scope: string(files.ScopeUser), Size: 3, ContentType: "text/plain", ETag: `"abc"`, CreatedBy: "bob",
		UpdatedAt: protocol.Time{Time: time.Date(2026, 11, 27, 10, 0, 0, 123456789, time.FixedZone("x", 3600))},
	}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	require.JSONEq(t, `{"path":"a.txt","scope":"user","size":3,"contentType":"text/plain","etag":"\"abc\"",
		"createdBy":"bob","updatedAt":"2026-11-27T09:00:00.123456Z"}`, string(b))
}

// A body of unknown length larger than one part streams up in parts and comes back byte for
// byte; no upload is left pending. Without a declared type, the type is octet-stream.
func TestUploadOfUnknownLengthStreamsInParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	data := make([]byte, 11<<20+3)
	_, _ = rand.Read(data)

	f, err := e.svc.Upload(ctx, who(bob, room, ""), self("big.bin"), io.MultiReader(bytes.NewReader(data)), "", -1)
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), f.Size)
	require.Equal(t, files.DefaultContentType, f.ContentType)
	require.Zero(t, e.pendingUploads(t))
	require.Equal(t, []string{"rooms/room-1/widgets/default/big.bin"}, e.objects(t), "no widget id means widget default")
	require.Equal(t, string(data), e.download(t, bob, files.DefaultWidget, self("big.bin")))
}

// Uploading to an existing path replaces the object and its row: one file, the new bytes.
func TestOverwriteReplacesObjectAndRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	first := e.upload(t, bob, "w1", self("a.txt"), "first version")
	second, err := e.svc.Upload(ctx, who(alice, room, "w1"), self("a.txt"), strings.NewReader("v2"), "text/markdown", -1)
	require.NoError(t, err)

	require.Equal(t, int64(2), second.Size)
	require.Equal(t, "text/markdown", second.ContentType)
	require.Equal(t, "alice", second.CreatedBy, "createdBy names who wrote the current content")
	require.NotEqual(t, first.ETag, second.ETag)
	list, err := e.svc.List(ctx, who(vic, room, "w1"), self(""))
	require.NoError(t, err)
	require.Equal(t, []files.File{second}, list)
	require.Equal(t, "v2", e.download(t, vic, "w1", self("a.txt")))
	require.Len(t, e.objects(t), 1)
}

// Delete removes the row and the object; the file is then not found anywhere.
func TestDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.upload(t, bob, "w1", self("a.txt"), "x")
	e.upload(t, bob, "w1", self("b.txt"), "y")

	require.NoError(t, e.svc.Delete(ctx, who(bob, room, "w1"), self("a.txt")))
	require.Equal(t, []string{"b.txt"}, e.paths(t, bob, "w1", self("")))
	require.Equal(t, []string{"rooms/room-1/widgets/w1/b.txt"}, e.objects(t))
	_, _, err := e.svc.Presign(ctx, who(bob, room, "w1"), self("a.txt"))
	requireCode(t, err, protocol.NotFound)
	_, _, err = e.svc.Open(ctx, who(bob, room, "w1"), self("a.txt"))
	requireCode(t, err, protocol.NotFound)
	requireCode(t, e.svc.Delete(ctx, who(bob, room, "w1"), self("a.txt")), protocol.NotFound)
}
