package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/protocol"
)

var statusOf = map[protocol.Code]int{
	protocol.BadRequest:        http.StatusBadRequest,
	protocol.Unauthorized:      http.StatusUnauthorized,
	protocol.Forbidden:         http.StatusForbidden,
	protocol.NotFound:          http.StatusNotFound,
	protocol.UnknownCollection: http.StatusNotFound,
	protocol.Conflict:          http.StatusConflict,
	protocol.TooLarge:          http.StatusRequestEntityTooLarge,
	protocol.Invalid:           http.StatusUnprocessableEntity,
	protocol.Limit:             http.StatusTooManyRequests,
	protocol.Internal:          http.StatusInternalServerError,
	protocol.Unavailable:       http.StatusServiceUnavailable,
}

// httpStatus is the HTTP status that goes with an error code.
func httpStatus(c protocol.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// codeForStatus maps the errors echo raises itself (no route, wrong method, body too large).
func codeForStatus(status int) protocol.Code {
	for code, s := range statusOf {
		if s == status && code != protocol.UnknownCollection {
			return code
		}
	}
	if status >= 400 && status < 500 {
		return protocol.BadRequest
	}
	return protocol.Internal
}

// errorHandler writes every error in the contract's shape. Internal errors are logged with the
// request id and never shown to the client.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var httpErr *echo.HTTPError
		if errors.As(err, &httpErr) {
			msg := http.StatusText(httpErr.Code)
			if m, ok := httpErr.Message.(string); ok && httpErr.Code < 500 {
				msg = m
			}
			status := httpErr.Code
			if status != http.StatusMethodNotAllowed { // 405 is a bad request, but precise
				status = httpStatus(codeForStatus(status))
			}
			writeError(c, status, &protocol.Error{Code: codeForStatus(httpErr.Code), Message: msg})
			return
		}
		apiErr := protocol.ErrorOf(err)
		status := httpStatus(apiErr.Code)
		if apiErr.RetryAfterMs > 0 { // a rate limit: when to come back, in whole seconds
			c.Response().Header().Set("Retry-After", strconv.FormatInt((apiErr.RetryAfterMs+999)/1000, 10))
		}
		if status >= 500 {
			logger.Error("request failed", "request_id", requestID(c), "err", err)
		}
		writeError(c, status, apiErr)
	}
}

func writeError(c echo.Context, status int, e *protocol.Error) {
	var err error
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, protocol.ErrorBody{Error: e})
	}
	if err != nil {
		c.Logger().Error(err)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
