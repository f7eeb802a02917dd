package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/internal/testproxy"
)

// While the database is unreachable, requests answer 503 unavailable (retry later), not 500; the
// same requests succeed once it is back.
func TestDatabaseDownIsUnavailable(t *testing.T) {
	t.Parallel()
	target, err := url.Parse(testdb.New(t).URL)
	require.NoError(t, err)
	proxy := testproxy.New(t, target.Host)
	target.Host = proxy.Addr()
	s := newServerAt(t, target.String(), nil)
	const coll = "/v1/rooms/u/collections/c/records"
	s.must(http.StatusCreated, "alice", "POST", coll, map[string]any{"id": "a", "data": map[string]any{}})

	proxy.SetDown(true)
	s.mustErr(http.StatusServiceUnavailable, "unavailable", "alice", "GET", coll, nil)
	s.mustErr(http.StatusServiceUnavailable, "unavailable", "alice", "PUT", coll+"/a", map[string]any{"data": map[string]any{"x": 1}})

	proxy.SetDown(false)
	s.must(http.StatusOK, "alice", "PUT", coll+"/a", map[string]any{"data": map[string]any{"x": 1}})
}
