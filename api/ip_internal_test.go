package api

import (
	"net"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// X-Forwarded-For is believed only from a configured proxy; without one it is ignored.
func TestIPExtractorTrustsOnlyConfiguredProxies(t *testing.T) {
	t.Parallel()
	_, proxy, err := net.ParseCIDR("127.0.0.1/32")
	require.NoError(t, err)
	for _, c := range []struct {
		trusted []*net.IPNet
		remote  string
		want    string
	}{
		{nil, "127.0.0.1:5000", "127.0.0.1"},
		{nil, "10.0.0.5:5000", "10.0.0.5"},
		{[]*net.IPNet{proxy}, "127.0.0.1:5000", "203.0.113.7"},
		{[]*net.IPNet{proxy}, "10.0.0.5:5000", "10.0.0.5"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		r.Header.Set("X-Forwarded-For", "203.0.113.7")
		require.Equal(t, c.want, ipExtractor(c.trusted)(r), "%v from %s", c.trusted, c.remote)
	}
}
