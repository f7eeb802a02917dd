package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
)

const filesRoom = "/v1/rooms/files"

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// fetch GETs a URL without credentials and returns status and body.
func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func (s *server) upload(status int, user, path, body, contentType string, headers ...string) response {
	s.t.Helper()
	return s.must(status, user, "PUT", filesRoom+"/files/"+path, []byte(body), append([]string{"Content-Type", contentType}, headers...)...)
}

func (s *server) fileList(user, query string) []any {
	s.t.Helper()
	return s.must(http.StatusOK, user, "GET", filesRoom+"/files?"+query, nil).JSON(s.t)["files"].([]any)
}

// objects lists every object of the embedded store, asking it over S3 like any client.
func (s *server) objects() []string {
	s.t.Helper()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(s.store.Endpoint()), Region: "us-east-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(s.store.AccessKeyID(), s.store.SecretAccessKey(), ""),
	})
	out, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(s.store.Bucket())})
	require.NoError(s.t, err)
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func TestFilesUploadListDownloadDelete(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, u := range []string{"alice", "bob", "carol"} {
		s.must(http.StatusOK, u, "GET", filesRoom+"/me", nil)
	}
	s.must(http.StatusOK, "alice", "PATCH", filesRoom+"/users/carol", map[string]any{"role": "viewer"})

	content := "hello, files ✓ " + strings.Repeat("x", 70_000)
	f := s.upload(http.StatusOK, "bob", "self/docs/a%20b.txt", content, "text/plain; charset=utf-8").JSON(t)
	require.Equal(t, map[string]any{"path": "docs/a b.txt", "scope": "self", "size": float64(len(content)),
		"contentType": "text/plain; charset=utf-8", "createdBy": "bob"}, pick(f, "path", "scope", "size", "contentType", "createdBy"))
	require.NotEmpty(t, f["etag"])
	require.Regexp(t, timestamp, f["updatedAt"])

	require.Len(t, s.fileList("carol", "scope=self"), 1)
	require.Len(t, s.fileList("carol", "prefix=docs/"), 1, "scope defaults to self")
	require.Empty(t, s.fileList("carol", "scope=self&prefix=other"))

	// Download: a redirect to a presigned URL that works without a token, on the API's host.
	req, _ := http.NewRequest("GET", s.url+filesRoom+"/files/self/docs/a%20b.txt", nil)
	req.Header.Set("Authorization", "Bearer "+token(t, "carol"))
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	location := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(location, s.url+"/s3/"), location)
	code, body := fetch(t, location)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, content, body, "byte-exact")

	presigned := s.must(http.StatusOK, "carol", "GET", filesRoom+"/files/self/docs/a%20b.txt?redirect=false", nil).JSON(t)
	require.Regexp(t, timestamp, presigned["expiresAt"])
	_, body = fetch(t, presigned["url"].(string))
	require.Equal(t, content, body)
	code, _ = fetch(t, strings.Replace(presigned["url"].(string), "a%20b.txt", "other.txt", 1))
	require.Equal(t, http.StatusForbidden, code, "a presigned URL opens only what it was signed for")

	proxied := s.must(http.StatusOK, "carol", "GET", filesRoom+"/files/self/docs/a%20b.txt?proxy=true", nil)
	require.Equal(t, content, string(proxied.Body))
	require.Equal(t, "text/plain; charset=utf-8", proxied.Header.Get("Content-Type"))
	require.Equal(t, "nosniff", proxied.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "sandbox", proxied.Header.Get("Content-Security-Policy"))
	require.Equal(t, f["etag"], proxied.Header.Get("ETag"))

	// Delete: row and object go; the old URL no longer opens anything.
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "DELETE", filesRoom+"/files/self/docs/a%20b.txt", nil)
	s.must(http.StatusNoContent, "bob", "DELETE", filesRoom+"/files/self/docs/a%20b.txt", nil)
	s.mustErr(http.StatusNotFound, "not_found", "bob", "GET", filesRoom+"/files/self/docs/a%20b.txt", nil)
	s.mustErr(http.StatusNotFound, "not_found", "bob", "DELETE", filesRoom+"/files/self/docs/a%20b.txt", nil)
	require.Empty(t, s.fileList("bob", "scope=self"))
	require.Empty(t, s.objects())
	code, _ = fetch(t, location)
	require.Equal(t, http.StatusNotFound, code)
}

func TestFilesScopes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, u := range []string{"alice", "bob", "carol"} {
		s.must(http.StatusOK, u, "GET", filesRoom+"/me", nil)
	}
	s.must(http.StatusOK, "alice", "PATCH", filesRoom+"/users/carol", map[string]any{"role": "viewer"})

	// self and widget: a widget writes its own files, others read them.
	s.upload(http.StatusOK, "bob", "self/logo.png", "PNG", "image/png", "X-Widget-Id", "w2")
	s.mustErr(http.StatusForbidden, "forbidden", "carol", "PUT", filesRoom+"/files/self/x", "x")
	s.mustErr(http.StatusForbidden, "forbidden", "bob", "PUT", filesRoom+"/files/widget/logo.png?widget=w2", "x")
	require.Empty(t, s.fileList("bob", "scope=self"), "the default widget has no files")
	require.Len(t, s.fileList("carol", "scope=widget&widget=w2"), 1)
	require.Equal(t, "PNG", string(s.must(http.StatusOK, "carol", "GET", filesRoom+"/files/widget/logo.png?widget=w2&proxy=true", nil).Body))
	require.Equal(t, "PNG", string(s.must(http.StatusOK, "carol", "GET", filesRoom+"/files/self/logo.png?proxy=true", nil, "X-Widget-Id", "w2").Body))
	s.mustErr(http.StatusBadRequest, "bad_request", "carol", "GET", filesRoom+"/files?scope=widget", nil)

	// user: only that user's, whatever the role; an admin cannot reach another user's files.
	s.upload(http.StatusOK, "bob", "user/cv.txt", "bob's cv", "text/plain")
	require.Equal(t, "bob's cv", string(s.must(http.StatusOK, "bob", "GET", filesRoom+"/files/user/cv.txt?proxy=true", nil).Body))
	s.mustErr(http.StatusNotFound, "not_found", "alice", "GET", filesRoom+"/files/user/cv.txt", nil)
	s.mustErr(http.StatusNotFound, "not_found", "alice", "DELETE", filesRoom+"/files/user/cv.txt", nil)
	require.Empty(t, s.fileList("alice", "scope=user"))
	require.Len(t, s.fileList("bob", "scope=user"), 1)
	s.upload(http.StatusOK, "carol", "user/notes.txt", "mine", "text/plain") // a viewer's own files

	// Names that are not paths, and scopes that do not exist.
	for _, path := range []string{"self/a/../b", "self/a/%2E%2E/b", "self//a", "self/a%00b", "other/a", "self/" + strings.Repeat("p", 513)} {
		s.mustErr(http.StatusBadRequest, "bad_request", "bob", "PUT", filesRoom+"/files/"+path, "x")
	}
	s.mustErr(http.StatusBadRequest, "bad_request", "bob", "GET", filesRoom+"/files/self/a?proxy=maybe", nil)
	require.Len(t, s.objects(), 3, "nothing stored by the refusals")
}

func TestFilesOverTheLimitStoreNothing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.must(http.StatusOK, "alice", "GET", filesRoom+"/me", nil)
	big := strings.Repeat("b", testMaxFileBytes+1)
	s.mustErr(http.StatusRequestEntityTooLarge, "too_large", "alice", "PUT", filesRoom+"/files/self/big", big)

	// Without a declared length (chunked), the limit cuts the stream.
	req, err := http.NewRequest("PUT", s.url+filesRoom+"/files/self/big", io.MultiReader(strings.NewReader(big))) // no length: sent chunked
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token(t, "alice"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	s.upload(http.StatusOK, "alice", "self/exact", big[:testMaxFileBytes], "application/octet-stream")
	require.Len(t, s.fileList("alice", ""), 1)
	require.Len(t, s.objects(), 1)
}

// An upload whose client goes away mid-body leaves no object and no row.
func TestFilesUploadCutOffLeavesNothing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.must(http.StatusOK, "alice", "GET", filesRoom+"/me", nil)
	const route = "/v1/rooms/:room/files/:scope/*"

	u, err := url.Parse(s.url)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	fmt.Fprintf(conn, "PUT %s/files/self/cut HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 900000\r\n\r\n",
		filesRoom, u.Host, token(t, "alice"))
	_, err = conn.Write(bytes.Repeat([]byte("c"), 600_000))
	require.NoError(t, err)
	require.NoError(t, conn.Close())

	require.Eventually(t, func() bool { return s.handled("PUT", route) == 1 }, 10*time.Second, 20*time.Millisecond,
		"the server finishes the cut-off request")
	require.Empty(t, s.fileList("alice", ""))
	require.Empty(t, s.objects())
	s.upload(http.StatusOK, "alice", "self/cut", "whole", "text/plain")
	require.Len(t, s.objects(), 1)
}

// A token's widget claim binds it to that widget: its files are the claim's, whatever header
// comes with it, and naming another widget is forbidden, for files and sockets alike. Without a
// claim the header is a label the caller picks.
func TestWidgetClaimIsABoundary(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.upload(http.StatusOK, "alice", "self/admin.txt", "admin's", "text/plain", "X-Widget-Id", "w-admin")
	tok, err := auth.MintHS256([]byte(secret), auth.Identity{UserID: "bob", Widget: "w-notes"}, time.Hour, time.Now())
	require.NoError(t, err)
	bearer := "Bearer " + tok
	put := func(status int, path string, headers ...string) response {
		t.Helper()
		r := s.send("PUT", filesRoom+"/files/"+path, []byte("bob's"), append([]string{"Authorization", bearer, "Content-Type", "text/plain"}, headers...)...)
		require.Equal(t, status, r.Status, "%s %v: %s", path, headers, r.Body)
		return r
	}
	put(http.StatusOK, "self/notes.txt")                            // no header: the claim's widget
	put(http.StatusOK, "self/notes2.txt", "X-Widget-Id", "w-notes") // the same widget named
	r := put(http.StatusForbidden, "self/admin.txt", "X-Widget-Id", "w-admin")
	require.Equal(t, "forbidden", r.Code(t))
	del := s.send("DELETE", filesRoom+"/files/self/admin.txt", nil, "Authorization", bearer, "X-Widget-Id", "w-admin")
	require.Equal(t, http.StatusForbidden, del.Status)
	list := s.send("GET", filesRoom+"/files", nil, "Authorization", bearer).JSON(t)["files"].([]any)
	require.Len(t, list, 2, "the claim's widget holds bob's two files")
	require.Equal(t, "admin's", string(s.must(http.StatusOK, "alice", "GET", filesRoom+"/files/self/admin.txt?proxy=true", nil, "X-Widget-Id", "w-admin").Body))

	ws := s.send("GET", filesRoom+"/ws?widget=w-admin", nil, "Authorization", bearer,
		"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	require.Equal(t, http.StatusForbidden, ws.Status, "%s", ws.Body)
}
