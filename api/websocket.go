package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/realtime"
)

// wsRoute is the WebSocket endpoint (PROTOCOL.md §4); roomAuth admits it before the upgrade, so
// a missing or bad token is an HTTP 401.
const wsRoute = "/v1/rooms/:room/ws"

func websocketHandler(hub *realtime.Hub) echo.HandlerFunc {
	return func(c echo.Context) error {
		expires, _ := c.Get(keyExpires).(time.Time)
		widget := c.QueryParam("widget")
		if widget == "" {
			widget = "default"
		}
		hub.Serve(c.Response(), c.Request(), realtime.Admission{
			Room: c.Param("room"), Caller: callerOf(c), Expires: expires, Widget: widget,
		})
		return nil
	}
}
