package app

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/testdb"
)

// A query that no index narrows, on a collection large enough to cost more than
// RECORDROOM_QUERY_MAX_COST, is refused alike on both transports: 429 `limit` on the REST list,
// an `error` with its sub and code `limit` at subscribe, each message naming the reason and the
// setting. An indexed query on the same collection passes on both.
func TestCostLimitRefusesOnRESTAndAtSubscribe(t *testing.T) {
	t.Parallel()
	tdb := testdb.New(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, tdb.URL)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(ctx, "INSERT INTO rooms (room_id) VALUES ('costly')")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO records (room_id, collection, id, user_id, data, created_at)
		SELECT 'costly', 'big', 'id' || i, 'alice', jsonb_build_object('status', 's' || (i % 100), 'n', i),
			now() - (i || ' ms')::interval
		FROM generate_series(1, 20000) AS i`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "ANALYZE records")
	require.NoError(t, err)

	addr, err := startWith(t, map[string]string{"DATABASE_URL": tdb.URL, "RECORDROOM_QUERY_MAX_COST": "200"})
	require.NoError(t, err)
	waitReady(t, addr)
	tok := testToken(t, "alice")

	const where, orderBy = `{"n": {"$gt": 5}}`, `[{"field": "n", "dir": "desc"}]`
	list := "/v1/rooms/costly/collections/big/records?limit=50&where=" + url.QueryEscape(where) + "&orderBy=" + url.QueryEscape(orderBy)
	code, body := restJSON(t, addr, tok, "GET", list, nil)
	require.Equal(t, 429, code, body)
	restErr := body["error"].(map[string]any)
	require.Equal(t, "limit", restErr["code"])
	require.Contains(t, restErr["message"], "no index narrows it")
	require.Contains(t, restErr["message"], "RECORDROOM_QUERY_MAX_COST=200")

	code, body = restJSON(t, addr, tok, "GET", "/v1/rooms/costly/collections/big/records?limit=50&where="+
		url.QueryEscape(`{"status": "s7"}`)+"&orderBy="+url.QueryEscape(orderBy), nil)
	require.Equal(t, 200, code, body)
	require.Len(t, body["records"], 50)

	ws, resp, err := websocket.DefaultDialer.DialContext(t.Context(),
		"ws://"+addr+"/v1/rooms/costly/ws?token="+url.QueryEscape(tok), nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	read := func() map[string]any {
		t.Helper()
		require.NoError(t, ws.SetReadDeadline(time.Now().Add(15*time.Second)))
		var m map[string]any
		require.NoError(t, ws.ReadJSON(&m))
		return m
	}
	require.Equal(t, "hello", read()["type"])
	require.NoError(t, ws.WriteJSON(map[string]any{"type": "subscribe", "sub": "s1", "collection": "big",
		"where": map[string]any{"n": map[string]any{"$gt": 5}}, "orderBy": []any{map[string]any{"field": "n", "dir": "desc"}}, "limit": 50}))
	m := read()
	require.Equal(t, "error", m["type"], m)
	require.Equal(t, "s1", m["sub"])
	require.Equal(t, "limit", m["code"])
	require.Equal(t, restErr["message"], m["message"], "the same answer on both transports")

	require.NoError(t, ws.WriteJSON(map[string]any{"type": "subscribe", "sub": "s2", "collection": "big",
		"where": map[string]any{"status": "s7"}, "orderBy": []any{map[string]any{"field": "n", "dir": "desc"}}, "limit": 50}))
	m = read()
	require.Equal(t, "snapshot", m["type"], m)
	require.Equal(t, "s2", m["sub"])
	require.Len(t, m["records"], 50)
}
