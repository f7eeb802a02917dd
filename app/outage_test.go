package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/internal/testproxy"
	"github.com/recordroom/recordroom/protocol"
)

// While the database is unreachable, REST and the WebSocket report the same failure the same
// way: `unavailable` (retry later), through the one translation of service errors, never
// `internal`.
func TestDatabaseDownIsUnavailableOnBothTransports(t *testing.T) {
	t.Parallel()
	target, err := url.Parse(testdb.New(t).URL)
	require.NoError(t, err)
	proxy := testproxy.New(t, target.Host)
	target.Host = proxy.Addr()
	addr := start(t, target.String())
	tok, err := auth.MintHS256([]byte(testSecret), auth.Identity{UserID: "alice"}, time.Hour, time.Now())
	require.NoError(t, err)
	const records = "/v1/rooms/outage/collections/c/records"
	rest := func(method, body string) (int, protocol.ErrorBody) {
		req, err := http.NewRequest(method, "http://"+addr+records, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var e protocol.ErrorBody
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e
	}
	code, _ := rest(http.MethodPost, `{"id":"a","data":{}}`)
	require.Equal(t, http.StatusCreated, code)

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/rooms/outage/ws?token="+url.QueryEscape(tok), nil)
	require.NoError(t, err)
	defer ws.Close()
	var hello protocol.ServerMessage
	require.NoError(t, ws.ReadJSON(&hello))
	require.Equal(t, protocol.TypeHello, hello.Type)

	proxy.SetDown(true)
	code, e := rest(http.MethodGet, "")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.NotNil(t, e.Error)
	require.Equal(t, protocol.Unavailable, e.Error.Code)

	require.NoError(t, ws.WriteJSON(protocol.Mutation{Type: protocol.TypeCreate, Ref: "m1", Collection: "c", ID: "b",
		Data: json.RawMessage(`{}`)}))
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(40*time.Second)))
	var m protocol.ServerMessage
	require.NoError(t, ws.ReadJSON(&m))
	require.Equal(t, protocol.TypeError, m.Type, "the create fails while the database is down")
	require.Equal(t, "m1", m.Ref)
	require.Equal(t, protocol.Unavailable, m.Code, m.Message)

	proxy.SetDown(false)
	n := 0
	require.Eventually(t, func() bool { // the pool may take a moment to dial again
		n++
		ref := "retry" + strconv.Itoa(n)
		require.NoError(t, ws.WriteJSON(protocol.Mutation{Type: protocol.TypeCreate, Ref: ref, Collection: "c", ID: "b",
			Data: json.RawMessage(`{}`)}))
		var m protocol.ServerMessage
		require.NoError(t, ws.ReadJSON(&m))
		require.Equal(t, ref, m.Ref)
		return m.Type == protocol.TypeAck
	}, 30*time.Second, 10*time.Millisecond, "the same create succeeds once the database is back")
}
