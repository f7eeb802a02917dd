package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

// Every code of the contract leaves the server with its HTTP status and the error shape;
// anything that is not a client-facing error is a 500 whose text stays in the log.
func TestEveryErrorCodeHasItsStatus(t *testing.T) {
	t.Parallel()
	want := map[protocol.Code]int{
		protocol.BadRequest: 400, protocol.Unauthorized: 401, protocol.Forbidden: 403, protocol.NotFound: 404,
		protocol.UnknownCollection: 404, protocol.Conflict: 409, protocol.TooLarge: 413, protocol.Invalid: 422,
		protocol.Limit: 429, protocol.Internal: 500, protocol.Unavailable: 503,
	}
	handle := errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))
	send := func(err error) (int, protocol.Error) {
		e := echo.New()
		rec := httptest.NewRecorder()
		handle(err, e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec))
		var body struct{ Error protocol.Error }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		return rec.Code, body.Error
	}
	for code, status := range want {
		got, body := send(protocol.New(code, "because %s", "reasons"))
		require.Equal(t, status, got, code)
		require.Equal(t, code, body.Code)
		require.Equal(t, "because reasons", body.Message)
	}
	got, body := send(errors.New("pq: secret internals"))
	require.Equal(t, 500, got)
	require.Equal(t, protocol.Internal, body.Code)
	require.NotContains(t, body.Message, "secret")

	got, body = send(echo.ErrMethodNotAllowed)
	require.Equal(t, 405, got)
	require.Equal(t, protocol.BadRequest, body.Code)
}
