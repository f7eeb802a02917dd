package s3embed_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/s3embed"
)

func creds(s *s3embed.Store) aws.Credentials {
	return aws.Credentials{AccessKeyID: s.AccessKeyID(), SecretAccessKey: s.SecretAccessKey()}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func s3Opts(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// signed makes a request signed in its Authorization header at when, with body's hash.
func signed(t *testing.T, method, u string, body []byte, c aws.Credentials, when time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Content-Sha256", sha(body))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), c, req, sha(body), "s3", "us-east-1", when, s3Opts))
	return req
}

// presigned makes a presigned URL signed at when, valid for expires.
func presigned(t *testing.T, method, u string, c aws.Credentials, when time.Time, expires time.Duration) string {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	req.URL.RawQuery = q.Encode()
	signedURL, _, err := v4.NewSigner().PresignHTTP(context.Background(), c, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", when, s3Opts)
	require.NoError(t, err)
	return signedURL
}

func do(t *testing.T, hc *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func getURL(t *testing.T, hc *http.Client, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	return do(t, hc, req)
}

// Requests signed with the store's key pair pass the gate, in the header or presigned.
func TestGateAcceptsOurSignatures(t *testing.T) {
	t.Parallel()
	s := start(t, s3embed.Config{})
	hc := httpClient(t)
	u := s.Endpoint() + "/" + s.Bucket() + "/dir/hello%20world.txt"

	status, _ := do(t, hc, signed(t, http.MethodPut, u, []byte("hi"), creds(s), time.Now()))
	require.Equal(t, http.StatusOK, status)
	status, body := do(t, hc, signed(t, http.MethodGet, u, nil, creds(s), time.Now()))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "hi", body)
	status, body = getURL(t, hc, presigned(t, http.MethodGet, u, creds(s), time.Now(), time.Minute))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "hi", body)
}

// Everything not signed by us, signed for another request, or signed too long ago is 403.
func TestGateRefuses(t *testing.T) {
	t.Parallel()
	s := start(t, s3embed.Config{})
	hc := httpClient(t)
	base := s.Endpoint() + "/" + s.Bucket() + "/"
	require.Equal(t, http.StatusOK, func() int {
		st, _ := do(t, hc, signed(t, http.MethodPut, base+"a", []byte("secret a"), creds(s), time.Now()))
		return st
	}())
	wrongSecret := aws.Credentials{AccessKeyID: s.AccessKeyID(), SecretAccessKey: "not-the-secret"}
	wrongID := aws.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: s.SecretAccessKey()}
	now := time.Now()

	cases := map[string]struct {
		req  func() *http.Request
		code string
	}{
		"no signature": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, base+"a", nil)
			return r
		}, "AccessDenied"},
		"wrong secret":     {func() *http.Request { return signed(t, http.MethodGet, base+"a", nil, wrongSecret, now) }, "SignatureDoesNotMatch"},
		"wrong access key": {func() *http.Request { return signed(t, http.MethodGet, base+"a", nil, wrongID, now) }, "InvalidAccessKeyId"},
		"tampered path": {func() *http.Request {
			r := signed(t, http.MethodGet, base+"b", nil, creds(s), now)
			r.URL.Path = "/" + s.Bucket() + "/a"
			return r
		}, "SignatureDoesNotMatch"},
		"tampered query": {func() *http.Request {
			r := signed(t, http.MethodGet, base, nil, creds(s), now)
			r.URL.RawQuery = "prefix=a"
			return r
		}, "SignatureDoesNotMatch"},
		"tampered method": {func() *http.Request {
			r := signed(t, http.MethodGet, base+"a", nil, creds(s), now)
			r.Method = http.MethodDelete
			return r
		}, "SignatureDoesNotMatch"},
		"signed too long ago": {func() *http.Request {
			return signed(t, http.MethodGet, base+"a", nil, creds(s), now.Add(-20*time.Minute))
		}, "RequestTimeTooSkewed"},
		"signed in the future": {func() *http.Request {
			return signed(t, http.MethodGet, base+"a", nil, creds(s), now.Add(20*time.Minute))
		}, "RequestTimeTooSkewed"},
		"expired presign": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, presigned(t, http.MethodGet, base+"a", creds(s), now.Add(-time.Hour), 5*time.Minute), nil)
			return r
		}, "AccessDenied"},
		"presign from the future": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, presigned(t, http.MethodGet, base+"a", creds(s), now.Add(time.Hour), 5*time.Minute), nil)
			return r
		}, "AccessDenied"},
		"presign beyond seven days": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, presigned(t, http.MethodGet, base+"a", creds(s), now, 8*24*time.Hour), nil)
			return r
		}, "AuthorizationQueryParametersError"},
		"tampered presign": {func() *http.Request {
			u, _ := url.Parse(presigned(t, http.MethodGet, base+"b", creds(s), now, 5*time.Minute))
			u.Path = "/" + s.Bucket() + "/a"
			r, _ := http.NewRequest(http.MethodGet, u.String(), nil)
			return r
		}, "SignatureDoesNotMatch"},
		"presign with a wrong secret": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, presigned(t, http.MethodGet, base+"a", wrongSecret, now, 5*time.Minute), nil)
			return r
		}, "SignatureDoesNotMatch"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, body := do(t, hc, tc.req())
			require.Equal(t, http.StatusForbidden, status, body)
			require.Contains(t, body, "<Code>"+tc.code+"</Code>")
			require.NotContains(t, body, "secret a")
		})
	}
}

// A body that is not the one whose hash was signed is refused as it streams, and leaves no
// object behind.
func TestGateRefusesSwappedBody(t *testing.T) {
	t.Parallel()
	s := start(t, s3embed.Config{})
	hc := httpClient(t)
	u := s.Endpoint() + "/" + s.Bucket() + "/swapped"
	req := signed(t, http.MethodPut, u, []byte("good"), creds(s), time.Now())
	req.Body = io.NopCloser(bytes.NewReader([]byte("evil")))
	status, _ := do(t, hc, req)
	require.NotEqual(t, http.StatusOK, status)

	status, body := do(t, hc, signed(t, http.MethodGet, u, nil, creds(s), time.Now()))
	require.Equal(t, http.StatusNotFound, status, body)
}
