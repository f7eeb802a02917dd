package api

import (
	"errors"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/errcode"
	"github.com/recordroom/recordroom/members"
)

var roomPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// Context keys set by roomAuth.
const (
	keyCaller  = "recordroom.caller"
	keyUser    = "recordroom.user"
	keyExpires = "recordroom.expires"
)

// roomAuth admits a request to a room: a valid room id, a verified token (or an anonymous viewer
// where the room allows it), and the caller's user row, created on first access.
func roomAuth(verifier *auth.Verifier, people *members.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			room := c.Param("room")
			if !roomPattern.MatchString(room) {
				return errcode.New(errcode.BadRequest, "invalid room id: 1–128 characters of A-Z a-z 0-9 . _ : -")
			}
			ctx := c.Request().Context()
			token := auth.BearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
			if token == "" && c.Path() == wsRoute {
				token = c.QueryParam("token") // browsers cannot set headers on a WebSocket
			}
			if token == "" {
				// Only a room that exists can let anonymous viewers in: they never create one.
				r, err := people.ExistingRoom(ctx, room)
				if err != nil {
					return err
				}
				if !r.AllowAnonymous {
					return errcode.New(errcode.Unauthorized, "missing token: send Authorization: Bearer <jwt>")
				}
				c.Set(keyCaller, access.Caller{Role: access.Viewer})
				return next(c)
			}
			id, err := verifier.Verify(ctx, token)
			if err != nil {
				if errors.Is(err, auth.ErrInvalidToken) {
					return errcode.New(errcode.Unauthorized, "%v", err)
				}
				return err
			}
			u, err := people.Arrive(ctx, room, members.Visitor{UserID: id.UserID, Email: id.Email, Name: id.Name})
			if err != nil {
				return err
			}
			c.Set(keyUser, u)
			c.Set(keyExpires, id.ExpiresAt)
			c.Set(keyCaller, access.Caller{UserID: u.ID, Role: access.Role(u.Role)})
			return next(c)
		}
	}
}

func callerOf(c echo.Context) access.Caller {
	caller, _ := c.Get(keyCaller).(access.Caller)
	return caller
}

// userOf is the caller's user row; ok is false for anonymous viewers.
func userOf(c echo.Context) (db.User, bool) {
	u, ok := c.Get(keyUser).(db.User)
	return u, ok
}

// atLeast refuses callers below role.
func atLeast(c echo.Context, role access.Role, doing string) error {
	if !callerOf(c).Role.AtLeast(role) {
		return errcode.New(errcode.Forbidden, "%s needs role %s", doing, role)
	}
	return nil
}
