package files_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/internal/s3embed"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/protocol"
)

const room = "room-1"

// The callers of the tests.
var (
	alice = access.Caller{UserID: "alice", Role: access.Admin}
	bob   = access.Caller{UserID: "bob", Role: access.Member}
	vic   = access.Caller{UserID: "vic", Role: access.Viewer}
	anon  = access.Caller{Role: access.Viewer}
)

// env is one test's world: its own database, its own embedded store, and an "API" server that
// mounts the store's public handler under /s3/ as the real server will.
type env struct {
	svc   *files.Service
	db    *db.DB
	store *s3embed.Store
	// storeClock shifts the embedded store's clock (object times, signature checks).
	storeClock *atomic.Int64
	s3         *s3.Client // the bucket seen directly, to check what is really there
	public     *httptest.Server
	hc         *http.Client
}

func newEnv(t *testing.T, tune ...func(*files.Config)) *env {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, testdb.New(t).URL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	require.NoError(t, d.RoomEnsure(ctx, room))

	e := &env{db: d, storeClock: &atomic.Int64{}}
	e.store, err = s3embed.Start(ctx, s3embed.Config{
		DataDir: t.TempDir(),
		Now:     func() time.Time { return time.Now().Add(time.Duration(e.storeClock.Load())) },
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.store.Close()) })

	mux := http.NewServeMux()
	mux.Handle("/s3/", e.store.PublicHandler("/s3"))
	e.public = httptest.NewServer(mux)
	t.Cleanup(e.public.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	e.hc = &http.Client{Transport: tr}

	cfg := files.Config{
		Endpoint: e.store.Endpoint(), PublicEndpoint: e.public.URL + "/s3", Bucket: e.store.Bucket(), PathStyle: true,
		AccessKeyID: e.store.AccessKeyID(), SecretAccessKey: e.store.SecretAccessKey(),
	}
	for _, f := range tune {
		f(&cfg)
	}
	e.svc, err = files.New(ctx, d, cfg)
	require.NoError(t, err)
	require.NoError(t, e.svc.EnsureBucket(ctx))
	e.s3 = s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(e.store.Endpoint()), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(e.store.AccessKeyID(), e.store.SecretAccessKey(), ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 e.hc,
	})
	return e
}

// who is a requester: caller c in room, from widget.
func who(c access.Caller, room, widget string) files.Requester {
	return files.Requester{Caller: c, Room: room, Widget: widget}
}

func self(path string) files.Ref { return files.Ref{Scope: files.ScopeSelf, Path: path} }
func user(path string) files.Ref { return files.Ref{Scope: files.ScopeUser, Path: path} }
func ofWidget(w, path string) files.Ref {
	return files.Ref{Scope: files.ScopeWidget, Widget: w, Path: path}
}

// upload stores content with its length declared.
func (e *env) upload(t *testing.T, c access.Caller, widget string, ref files.Ref, content string) files.File {
	t.Helper()
	f, err := e.svc.Upload(context.Background(), who(c, room, widget), ref, bytes.NewReader([]byte(content)), "text/plain", int64(len(content)))
	require.NoError(t, err)
	return f
}

// download fetches a file through its presigned URL over HTTP, as a browser would.
func (e *env) download(t *testing.T, c access.Caller, widget string, ref files.Ref) string {
	t.Helper()
	u, _, err := e.svc.Presign(context.Background(), who(c, room, widget), ref)
	require.NoError(t, err)
	status, body := e.get(t, u)
	require.Equal(t, http.StatusOK, status, body)
	return body
}

func (e *env) get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := e.hc.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// objects lists every key in the bucket, read from the store itself.
func (e *env) objects(t *testing.T) []string {
	t.Helper()
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(e.store.Bucket())})
	require.NoError(t, err)
	keys := []string{}
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// pendingUploads counts unfinished multipart uploads in the store.
func (e *env) pendingUploads(t *testing.T) int {
	t.Helper()
	out, err := e.s3.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(e.store.Bucket())})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload" {
		return 0 // gofakes3's answer for a bucket that never had a multipart upload
	}
	require.NoError(t, err)
	return len(out.Uploads)
}

// paths lists a scope's file paths as c sees them.
func (e *env) paths(t *testing.T, c access.Caller, widget string, ref files.Ref) []string {
	t.Helper()
	list, err := e.svc.List(context.Background(), who(c, room, widget), ref)
	require.NoError(t, err)
	out := []string{}
	for _, f := range list {
		out = append(out, f.Path)
	}
	return out
}

// requireCode checks that err is a client error with code.
func requireCode(t *testing.T, err error, code protocol.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, protocol.ErrorOf(err).Code, "error: %v", err)
}
