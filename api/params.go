package api

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/protocol"
)

// unescapeParams hands handlers path parameters as the ids they name. Echo routes on the URL's
// raw path whenever it holds an escape that the decoded path would not get back (%2B, %40, %2F:
// `/users/a%2Bb%40x.org`) and then leaves the parameters escaped; otherwise it routes on the
// decoded path and they are decoded already, so they are unescaped only in the first case: never
// twice, so that an id holding a literal %41 stays as it is.
func unescapeParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawPath == "" {
			return next(c)
		}
		values := c.ParamValues()
		decoded := make([]string, len(values))
		for i, v := range values {
			u, err := url.PathUnescape(v)
			if err != nil {
				return protocol.New(protocol.BadRequest, "path parameter %q: %v", protocol.Clip(v), err)
			}
			decoded[i] = u
		}
		c.SetParamValues(decoded...)
		return next(c)
	}
}
