package api_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/api"
	"github.com/recordroom/recordroom/internal/testdb"
)

// A client that trickles an upload is cut off once it falls behind the minimum rate, instead of
// holding the server's part buffer for as long as it likes; a client at a fair pace is not.
func TestSlowRequestBodiesAreCutOff(t *testing.T) {
	t.Parallel()
	s := newServerWith(t, testdb.New(t).URL, nil, api.Timeouts{MinBodyRate: 1 << 10, BodyGrace: 300 * time.Millisecond, Write: 5 * time.Second})
	s.must(http.StatusOK, "alice", "GET", "/v1/rooms/slow/me", nil)
	u, err := url.Parse(s.url)
	require.NoError(t, err)

	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "PUT /v1/rooms/slow/files/self/loris.bin HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n", u.Host, token(t, "alice"))
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a byte every 100 ms: 10 bytes/s, far below 1 KiB/s
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second))) // a bound on the test, not a figure
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil { // an answer, or the connection closed under the client: either way, cut off
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	} else {
		require.NotErrorIs(t, err, os.ErrDeadlineExceeded, "the server never gave up on the body")
	}

	// A fair pace is unaffected, and the server still serves.
	body := strings.Repeat("y", 4000)
	s.must(http.StatusOK, "alice", "PUT", "/v1/rooms/slow/files/self/fair.bin", body, "Content-Type", "application/octet-stream")
}
