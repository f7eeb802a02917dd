package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/errcode"
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
			return errcode.New(errcode.TooLarge, "request body over %d bytes", MaxBodyBytes)
		}
		if errors.Is(err, io.EOF) {
			return errcode.New(errcode.BadRequest, "request body is empty: send a JSON object")
		}
		return errcode.New(errcode.BadRequest, "request body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errcode.New(errcode.TooLarge, "request body over %d bytes", MaxBodyBytes)
		}
		return errcode.New(errcode.BadRequest, "request body: trailing data after the JSON object")
	}
	return nil
}
