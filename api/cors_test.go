package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/api"
)

// corsAPI is the API with no services behind it (CORS answers before any of them is asked) and
// allow as its origin rule.
func corsAPI(t *testing.T, allow func(string) bool) http.Handler {
	t.Helper()
	return api.New(api.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(), AllowOrigin: allow,
	})
}

func corsRequest(t *testing.T, h http.Handler, method, path, origin string) http.Header {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Origin", origin)
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", http.MethodDelete)
		req.Header.Set("Access-Control-Request-Headers", "Authorization, X-Widget-Id")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if method == http.MethodOptions {
		require.Equal(t, http.StatusNoContent, rec.Code, "a preflight never reaches authentication")
	}
	return rec.Header()
}

func accessControl(h http.Header) []string {
	var names []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			names = append(names, k)
		}
	}
	return names
}

// Config.AllowOrigin decides CORS: an allowed origin gets its preflight answered with the
// methods and headers the API uses, and may read ETag and the request id; any other origin, or
// every origin when the rule is nil, gets no CORS header.
func TestCORSFollowsAllowOrigin(t *testing.T) {
	t.Parallel()
	h := corsAPI(t, func(origin string) bool { return origin == "http://localhost:5173" })
	pre := corsRequest(t, h, http.MethodOptions, "/v1/rooms/r/files/self/a.txt", "http://localhost:5173")
	require.Equal(t, "http://localhost:5173", pre.Get("Access-Control-Allow-Origin"))
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		require.Contains(t, pre.Get("Access-Control-Allow-Methods"), m)
	}
	for _, hdr := range []string{"Authorization", "Content-Type", "If-Match", "X-Widget-Id"} {
		require.Contains(t, pre.Get("Access-Control-Allow-Headers"), hdr)
	}
	require.NotEmpty(t, pre.Get("Access-Control-Max-Age"))
	simple := corsRequest(t, h, http.MethodGet, "/healthz", "http://localhost:5173")
	require.Equal(t, "http://localhost:5173", simple.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "ETag,X-Request-Id,Retry-After,Location,Content-Length,Content-Disposition", simple.Get("Access-Control-Expose-Headers"))

	require.Empty(t, accessControl(corsRequest(t, h, http.MethodOptions, "/v1/rooms/r/me", "https://evil.example")))
	require.Empty(t, accessControl(corsRequest(t, h, http.MethodGet, "/healthz", "https://evil.example")))

	off := corsAPI(t, nil)
	require.Empty(t, accessControl(corsRequest(t, off, http.MethodGet, "/healthz", "http://localhost:5173")))
}
