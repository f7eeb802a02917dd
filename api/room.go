package api

import (
	"errors"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/ids"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
)

// Context keys set by roomAuth.
const (
	keyCaller  = "recordroom.caller"
	keyUser    = "recordroom.user"
	keyExpires = "recordroom.expires"
	keyInvites = "recordroom.invite-email"
	keyWidget  = "recordroom.widget"
)

// roomAuth admits a request to a room: a valid room id, a verified token (or an anonymous viewer
// where the room allows it), and the caller's user row, created on first access.
func roomAuth(verifier *auth.Verifier, people *members.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			room := c.Param("room")
			if !ids.Valid(room) {
				return protocol.New(protocol.BadRequest, "invalid room id: "+ids.Rule)
			}
			ctx := c.Request().Context()
			token := auth.BearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
			if token == "" && isSocketRoute(c.Path()) {
				token = c.QueryParam("token") // browsers cannot set headers on a WebSocket
			}
			if token == "" {
				// Only a room that exists can let anonymous viewers in: they never create one.
				r, err := people.ExistingRoom(ctx, room)
				if err != nil {
					return err
				}
				if !r.AllowAnonymous {
					return protocol.New(protocol.Unauthorized, "missing token: send Authorization: Bearer <jwt>")
				}
				c.Set(keyCaller, access.Caller{Role: access.Viewer})
				return next(c)
			}
			id, err := verifier.Verify(ctx, token)
			if err != nil {
				if errors.Is(err, auth.ErrInvalidToken) {
					return protocol.New(protocol.Unauthorized, "%v", err)
				}
				return err
			}
			visitor := members.Visitor{UserID: id.UserID, Email: id.Email, Name: id.Name}
			if !id.EmailUnverified {
				visitor.InviteEmail = id.Email
			}
			u, err := people.Visit(ctx, room, visitor)
			if err != nil {
				return err
			}
			c.Set(keyInvites, visitor.InviteEmail)
			c.Set(keyUser, u)
			c.Set(keyExpires, id.ExpiresAt)
			c.Set(keyWidget, id.Widget)
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

// inviteEmailOf is the caller's email that may claim invites ("" for none).
func inviteEmailOf(c echo.Context) string {
	email, _ := c.Get(keyInvites).(string)
	return email
}

// widgetOf is the widget a request acts as, given the one it names ("" for none). A token with a
// widget claim decides: naming another widget is forbidden. Without one the named widget is a
// label a caller chooses, not a boundary between widgets (docs/protocol.md).
func widgetOf(c echo.Context, named string) (string, error) {
	claim, _ := c.Get(keyWidget).(string)
	switch {
	case claim == "":
		return named, nil
	case named != "" && named != claim:
		return "", protocol.New(protocol.Forbidden, "this token acts for widget %q, not %q", claim, protocol.Clip(named))
	}
	return claim, nil
}

// atLeast refuses callers below role.
func atLeast(c echo.Context, role access.Role, doing string) error {
	if !callerOf(c).Role.AtLeast(role) {
		return protocol.New(protocol.Forbidden, "%s needs role %s", doing, role)
	}
	return nil
}

// wildcard is the rest of the path a /* route matched, percent-decoded (file paths and document
// names hold slashes).
func wildcard(c echo.Context) (string, error) {
	rest := c.Param("*")
	if c.Request().URL.RawPath == "" {
		return rest, nil
	}
	// echo matched the escaped path: its params are still escaped.
	rest, err := url.PathUnescape(rest)
	if err != nil {
		return "", protocol.New(protocol.BadRequest, "malformed path: bad percent-encoding")
	}
	return rest, nil
}
