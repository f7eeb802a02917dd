package s3embed_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/s3embed"
)

// publicServer stands for the API: it serves the store's public handler under /s3/ on its own
// host, as the server will.
func publicServer(t *testing.T, s *s3embed.Store) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/s3/", s.PublicHandler("/s3"))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// publicPresigner presigns for the public endpoint, API host plus /s3, as package files does.
func publicPresigner(t *testing.T, s *s3embed.Store, ts *httptest.Server) *s3.PresignClient {
	t.Helper()
	return s3.NewPresignClient(sdkClient(t, ts.URL+"/s3", s.AccessKeyID(), s.SecretAccessKey()))
}

// A URL presigned for the public endpoint keeps the endpoint's path in front of the bucket and
// downloads the object byte for byte through the API's host; HEAD and ranges work too.
func TestPublicHandlerServesPresignedGets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := start(t, s3embed.Config{})
	put(t, client(t, s), "rooms/r1/widgets/w/a b+c.txt", "public bytes", "text/plain; charset=utf-8")
	ts := publicServer(t, s)
	hc := httpClient(t)
	in := &s3.GetObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("rooms/r1/widgets/w/a b+c.txt")}

	req, err := publicPresigner(t, s, ts).PresignGetObject(ctx, in, s3.WithPresignExpires(time.Minute))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(req.URL, ts.URL+"/s3/"+s.Bucket()+"/rooms/r1/widgets/w/"), req.URL)

	resp, err := hc.Get(req.URL)
	require.NoError(t, err)
	body := readAll(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "public bytes", body)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))

	ranged, err := http.NewRequest(http.MethodGet, req.URL, nil)
	require.NoError(t, err)
	ranged.Header.Set("Range", "bytes=7-11")
	status, body := do(t, hc, ranged)
	require.Equal(t, http.StatusPartialContent, status)
	require.Equal(t, "bytes", body)

	head, err := publicPresigner(t, s, ts).PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: in.Bucket, Key: in.Key})
	require.NoError(t, err)
	headReq, err := http.NewRequest(http.MethodHead, head.URL, nil)
	require.NoError(t, err)
	status, _ = do(t, hc, headReq)
	require.Equal(t, http.StatusOK, status)
}

// The public handler serves nothing but presigned GET and HEAD of the bucket's objects, signed
// for the public URL and not expired.
func TestPublicHandlerRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := start(t, s3embed.Config{})
	put(t, client(t, s), "k", "private", "text/plain")
	ts := publicServer(t, s)
	hc := httpClient(t)
	pub := publicPresigner(t, s, ts)
	get := func(bucket, key string) string {
		r, err := pub.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		require.NoError(t, err)
		return r.URL
	}
	good := get(s.Bucket(), "k")

	cases := map[string]struct {
		req    func() *http.Request
		status int
	}{
		"unsigned": {func() *http.Request { return mustReq(t, http.MethodGet, ts.URL+"/s3/"+s.Bucket()+"/k") }, http.StatusForbidden},
		"signed in a header": {func() *http.Request {
			return signed(t, http.MethodGet, ts.URL+"/s3/"+s.Bucket()+"/k", nil, creds(s), time.Now())
		}, http.StatusForbidden},
		"tampered key": {func() *http.Request {
			return mustReq(t, http.MethodGet, strings.Replace(get(s.Bucket(), "j"), "/j?", "/k?", 1))
		}, http.StatusForbidden},
		"signed for the internal endpoint": {func() *http.Request {
			r, err := s3.NewPresignClient(client(t, s)).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("k")})
			require.NoError(t, err)
			return mustReq(t, http.MethodGet, strings.Replace(r.URL, s.Endpoint(), ts.URL+"/s3", 1))
		}, http.StatusForbidden},
		"another bucket": {func() *http.Request { return mustReq(t, http.MethodGet, get("other-bucket", "k")) }, http.StatusForbidden},
		"a bucket listing": {func() *http.Request {
			return mustReq(t, http.MethodGet, presigned(t, http.MethodGet, ts.URL+"/s3/"+s.Bucket()+"/", creds(s), time.Now(), time.Minute))
		}, http.StatusForbidden},
		"another operation's query": {func() *http.Request {
			return mustReq(t, http.MethodGet, presigned(t, http.MethodGet, ts.URL+"/s3/"+s.Bucket()+"/k?acl=", creds(s), time.Now(), time.Minute))
		}, http.StatusForbidden},
		"expired": {func() *http.Request {
			return mustReq(t, http.MethodGet, presigned(t, http.MethodGet, ts.URL+"/s3/"+s.Bucket()+"/k", creds(s), time.Now().Add(-time.Hour), time.Minute))
		}, http.StatusForbidden},
		"a presigned PUT": {func() *http.Request {
			r, err := pub.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("k")})
			require.NoError(t, err)
			req := mustReq(t, http.MethodPut, r.URL)
			req.Body = http.NoBody
			return req
		}, http.StatusMethodNotAllowed},
		"the good URL under another prefix": {func() *http.Request {
			return mustReq(t, http.MethodGet, strings.Replace(good, "/s3/", "/s3/s3/", 1))
		}, http.StatusForbidden},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, body := do(t, hc, tc.req())
			require.Equal(t, tc.status, status, body)
			require.NotContains(t, body, "private")
		})
	}

	status, body := getURL(t, hc, good)
	require.Equal(t, http.StatusOK, status, "the untampered URL works")
	require.Equal(t, "private", body)
}

func mustReq(t *testing.T, method, u string) *http.Request {
	t.Helper()
	_, err := url.Parse(u)
	require.NoError(t, err)
	r, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	return r
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
