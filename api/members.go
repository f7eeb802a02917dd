package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
)

type memberHandlers struct{ members *members.Service }

func (h memberHandlers) routes(g *echo.Group) {
	g.GET("/me", h.me)
	g.GET("/users", h.list)
	g.PATCH("/users/:userId", h.setRole)
	g.DELETE("/users/:userId", h.remove)
	g.GET("/settings", h.getSettings)
	g.PATCH("/settings", h.patchSettings)
}

// me answers the caller's user row; an anonymous viewer has no id and no row.
func (h memberHandlers) me(c echo.Context) error {
	u, ok := userOf(c)
	if !ok {
		return c.JSON(http.StatusOK, protocol.Caller{Role: string(access.Viewer), Anonymous: true})
	}
	return c.JSON(http.StatusOK, members.UserOf(u))
}

func (h memberHandlers) list(c echo.Context) error {
	if err := atLeast(c, access.Member, "listing users"); err != nil {
		return err
	}
	users, err := h.members.Users(c.Request().Context(), c.Param("room"))
	if err != nil {
		return err
	}
	out := protocol.UserList{Users: make([]protocol.User, len(users))}
	for i, u := range users {
		out.Users[i] = members.UserOf(u)
	}
	return c.JSON(http.StatusOK, out)
}

func (h memberHandlers) setRole(c echo.Context) error {
	var body protocol.RoleChange
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	role, err := access.ParseRole(body.Role)
	if err != nil {
		return &protocol.Error{Code: protocol.Invalid, Message: "invalid role",
			Details: []protocol.Detail{{Path: "role", Message: err.Error()}}}
	}
	u, err := h.members.SetRole(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("userId"), role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members.UserOf(u))
}

func (h memberHandlers) remove(c echo.Context) error {
	if err := h.members.Remove(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("userId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h memberHandlers) getSettings(c echo.Context) error {
	r, err := h.members.Room(c.Request().Context(), c.Param("room"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members.SettingsOf(r))
}

func (h memberHandlers) patchSettings(c echo.Context) error {
	var patch members.SettingsPatch
	if err := bindJSON(c, &patch); err != nil {
		return err
	}
	s, err := h.members.UpdateSettings(c.Request().Context(), callerOf(c), c.Param("room"), patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}
