package app

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
)

func TestLocalOrigin(t *testing.T) {
	t.Parallel()
	for _, origin := range []string{
		"http://localhost:5173", "https://localhost:8443", "http://127.0.0.1:3000", "http://[::1]:5173",
		"https://[::1]:1", "http://localhost", "https://127.0.0.1",
	} {
		require.True(t, localOrigin(origin), origin)
	}
	for _, origin := range []string{
		"", "null", "localhost:5173", "http://localhost.evil.example:5173", "http://evil.example",
		"https://app.example:5173", "http://127.0.0.2:5173", "http://10.0.0.1:5173", "ws://localhost:5173",
		"file://localhost", "http://localhost:5173/", "http://localhost:5173/path", "http://user@localhost:5173",
		"http://localhost:notaport", "http://LOCALHOST:5173x", "http://[::2]:5173", "http://0.0.0.0:5173",
	} {
		require.False(t, localOrigin(origin), origin)
	}
}

func TestParseOrigins(t *testing.T) {
	t.Parallel()
	got, err := parseOrigins("https://App.example, http://localhost:5173 *")
	require.NoError(t, err)
	require.Equal(t, []string{"https://app.example", "http://localhost:5173", "*"}, got)
	got, err = parseOrigins("")
	require.NoError(t, err)
	require.Empty(t, got)
	for _, bad := range []string{"app.example", "https://app.example/", "https://app.example/x", "ftp://app.example", "null"} {
		_, err := parseOrigins(bad)
		require.Error(t, err, bad)
	}

	allow := originRule([]string{"https://app.example"}, false)
	require.True(t, allow("https://app.example"))
	require.True(t, allow("https://APP.example"), "hosts are case-insensitive")
	require.False(t, allow("https://app.example:444"))
	require.False(t, allow("http://localhost:5173"), "local pages only in development mode")
	require.True(t, originRule([]string{"https://app.example"}, true)("http://localhost:5173"))
	require.True(t, originRule([]string{"*"}, false)("https://anything.example"))
	require.Nil(t, originRule(nil, false))
	require.Nil(t, socketOriginRule(nil, true), "sockets: any origin unless origins are configured")
}

// dialOrigin opens the room's WebSocket as a page at origin would ("": a program, no Origin
// header) and answers the HTTP status of the upgrade.
func dialOrigin(t *testing.T, addr, origin string) int {
	t.Helper()
	tok, err := auth.MintHS256([]byte(testSecret), auth.Identity{UserID: "alice"}, time.Hour, time.Now())
	require.NoError(t, err)
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/rooms/r/ws?token="+tok, h)
	if err == nil {
		conn.Close()
	}
	require.NotNil(t, resp, "dial: %v", err)
	return resp.StatusCode
}

// RECORDROOM_CORS_ORIGINS decides both CORS and which pages may open a WebSocket; a program
// without an Origin header still may. Unset, any page may open one (its token is what counts).
func TestConfiguredOriginsDecideCORSAndSockets(t *testing.T) {
	t.Parallel()
	addr, err := startWith(t, map[string]string{
		"DATABASE_URL": testdb.New(t).URL, "RECORDROOM_CORS_ORIGINS": "https://app.example",
	})
	require.NoError(t, err)
	resp := preflight(t, addr, "https://app.example")
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, "https://app.example", resp.Header.Get("Access-Control-Allow-Origin"))
	require.Empty(t, corsHeaders(preflight(t, addr, "https://evil.example").Header))
	require.Empty(t, corsHeaders(preflight(t, addr, "http://localhost:5173").Header), "not development mode")

	require.Equal(t, http.StatusSwitchingProtocols, dialOrigin(t, addr, "https://app.example"))
	require.Equal(t, http.StatusSwitchingProtocols, dialOrigin(t, addr, ""))
	require.Equal(t, http.StatusForbidden, dialOrigin(t, addr, "https://evil.example"))

	open := start(t, testdb.New(t).URL)
	require.Equal(t, http.StatusSwitchingProtocols, dialOrigin(t, open, "https://evil.example"))
}
