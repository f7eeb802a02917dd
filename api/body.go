package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/protocol"
)

// MaxBodyBytes limits JSON request bodies (PROTOCOL.md §5: larger ones get 413).
const MaxBodyBytes = 1 << 20

// bindJSON decodes a request body of at most MaxBodyBytes into v, refusing unknown fields (a
// misspelt field is a mistake the client should hear about) and trailing data.
func bindJSON(c echo.Context, v any) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return protocol.New(protocol.TooLarge, "request body over %d bytes", MaxBodyBytes)
		}
		if errors.Is(err, io.EOF) {
			return protocol.New(protocol.BadRequest, "request body is empty: send a JSON object")
		}
		return protocol.New(protocol.BadRequest, "request body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return protocol.New(protocol.TooLarge, "request body over %d bytes", MaxBodyBytes)
		}
		return protocol.New(protocol.BadRequest, "request body: trailing data after the JSON object")
	}
	return nil
}
