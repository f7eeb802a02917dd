package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Error codes of PROTOCOL.md §5.
const (
	CodeBadRequest        = "bad_request"
	CodeUnauthorized      = "unauthorized"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeUnknownCollection = "unknown_collection"
	CodeConflict          = "conflict"
	CodeTooLarge          = "too_large"
	CodeInvalid           = "invalid"
	CodeLimit             = "limit"
	CodeInternal          = "internal"
	CodeUnavailable       = "unavailable"
)

var statusOf = map[string]int{
	CodeBadRequest:        http.StatusBadRequest,
	CodeUnauthorized:      http.StatusUnauthorized,
	CodeForbidden:         http.StatusForbidden,
	CodeNotFound:          http.StatusNotFound,
	CodeUnknownCollection: http.StatusNotFound,
	CodeConflict:          http.StatusConflict,
	CodeTooLarge:          http.StatusRequestEntityTooLarge,
	CodeInvalid:           http.StatusUnprocessableEntity,
	CodeLimit:             http.StatusTooManyRequests,
	CodeInternal:          http.StatusInternalServerError,
	CodeUnavailable:       http.StatusServiceUnavailable,
}

// Error is an API error as clients see it: {"error":{"code","message","details"}}.
type Error struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
}

// Detail names one failing field of an invalid request.
type Detail struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Status is the HTTP status that goes with the error's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// NewError makes an API error.
func NewError(code, message string) *Error { return &Error{Code: code, Message: message} }

// codeForStatus maps the errors echo raises itself (no route, wrong method, body too large).
func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusTooManyRequests:
		return CodeLimit
	case http.StatusServiceUnavailable:
		return CodeUnavailable
	}
	if status >= 400 && status < 500 {
		return CodeBadRequest
	}
	return CodeInternal
}

// errorHandler writes every error in the contract's shape. Internal errors are logged with the
// request id and never shown to the client.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var apiErr *Error
		var httpErr *echo.HTTPError
		switch {
		case errors.As(err, &apiErr):
		case errors.As(err, &httpErr):
			msg := http.StatusText(httpErr.Code)
			if m, ok := httpErr.Message.(string); ok && httpErr.Code < 500 {
				msg = m
			}
			apiErr = &Error{Code: codeForStatus(httpErr.Code), Message: msg}
			if httpErr.Code == http.StatusMethodNotAllowed {
				// Keep 405 as is: it is a bad request, but a precise status helps.
				writeError(c, http.StatusMethodNotAllowed, apiErr)
				return
			}
		default:
			apiErr = &Error{Code: CodeInternal, Message: "internal error"}
		}
		if apiErr.Status() >= 500 {
			logger.Error("request failed", "request_id", requestID(c), "err", err)
		}
		writeError(c, apiErr.Status(), apiErr)
	}
}

func writeError(c echo.Context, status int, e *Error) {
	var err error
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, map[string]*Error{"error": e})
	}
	if err != nil {
		c.Logger().Error(err)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
