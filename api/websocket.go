package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/realtime"
)

// The WebSocket endpoints: the main socket (PROTOCOL.md §4) and the plain y-websocket socket of
// one document (§6). roomAuth admits them before the upgrade, so a missing or bad token is an
// HTTP 401; browsers cannot set headers on a WebSocket, so the token may come as ?token=.
const (
	wsRoute  = "/v1/rooms/:room/ws"
	docRoute = "/v1/rooms/:room/yjs/*"
)

func isSocketRoute(path string) bool { return path == wsRoute || path == docRoute }

// socketOrigin refuses, before any token is read, a WebSocket opened by a page whose origin the
// rule does not allow (403 forbidden). A request without Origin comes from a program, not a
// page that could be lending its user's token to someone else, and is let through.
func socketOrigin(allow func(origin string) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			origin := c.Request().Header.Get(echo.HeaderOrigin)
			if isSocketRoute(c.Path()) && origin != "" && !allow(origin) {
				return protocol.New(protocol.Forbidden, "this origin may not open a WebSocket here (RECORDROOM_CORS_ORIGINS)")
			}
			return next(c)
		}
	}
}

func websocketHandler(hub *realtime.Hub) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := admission(c)
		if err != nil {
			return err
		}
		return hub.Serve(c.Response(), c.Request(), a)
	}
}

// docSocketHandler serves the stock y-websocket WebsocketProvider, which connects to
// <serverUrl>/<roomname>: the document name is the rest of the path.
func docSocketHandler(hub *realtime.Hub) echo.HandlerFunc {
	return func(c echo.Context) error {
		name, err := docName(c)
		if err != nil {
			return err
		}
		a, err := admission(c)
		if err != nil {
			return err
		}
		return hub.ServeDoc(c.Response(), c.Request(), a, name)
	}
}

func admission(c echo.Context) (realtime.Admission, error) {
	expires, _ := c.Get(keyExpires).(time.Time)
	widget, err := widgetOf(c, c.QueryParam("widget"))
	if widget == "" {
		widget = files.DefaultWidget
	}
	return realtime.Admission{Room: c.Param("room"), Caller: callerOf(c), Expires: expires, Widget: widget, IP: c.RealIP()}, err
}
