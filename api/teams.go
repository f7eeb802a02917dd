package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/protocol"
)

type teamHandlers struct{ members *members.Service }

func (h teamHandlers) routes(g *echo.Group) {
	g.GET("/teams", h.list)
	g.POST("/teams", h.create)
	g.GET("/teams/:teamId", h.get)
	g.PATCH("/teams/:teamId", h.rename)
	g.DELETE("/teams/:teamId", h.remove)
	g.GET("/teams/:teamId/members", h.listMembers)
	g.POST("/teams/:teamId/members", h.addMember)
	g.DELETE("/teams/:teamId/members/:memberId", h.removeMember)
	g.GET("/invites", h.invites)
	g.POST("/invites/:id/accept", h.accept)
	g.POST("/invites/:id/decline", h.decline)
}

func (h teamHandlers) list(c echo.Context) error {
	if err := atLeast(c, access.Member, "listing teams"); err != nil {
		return err
	}
	teams, err := h.members.Teams(c.Request().Context(), c.Param("room"))
	if err != nil {
		return err
	}
	out := protocol.TeamList{Teams: make([]protocol.Team, len(teams))}
	for i, t := range teams {
		out.Teams[i] = members.TeamOf(t)
	}
	return c.JSON(http.StatusOK, out)
}

func (h teamHandlers) create(c echo.Context) error {
	var in members.NewTeam
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := h.members.CreateTeam(c.Request().Context(), callerOf(c), c.Param("room"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, members.TeamOf(t))
}

func (h teamHandlers) get(c echo.Context) error {
	if err := atLeast(c, access.Member, "reading teams"); err != nil {
		return err
	}
	t, err := h.members.Team(c.Request().Context(), c.Param("room"), c.Param("teamId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members.TeamOf(t))
}

func (h teamHandlers) rename(c echo.Context) error {
	var body protocol.TeamRename
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	t, err := h.members.RenameTeam(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("teamId"), body.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members.TeamOf(t))
}

func (h teamHandlers) remove(c echo.Context) error {
	if err := h.members.DeleteTeam(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("teamId")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h teamHandlers) listMembers(c echo.Context) error {
	if err := atLeast(c, access.Member, "listing team members"); err != nil {
		return err
	}
	ms, err := h.members.TeamMembersOf(c.Request().Context(), c.Param("room"), c.Param("teamId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, protocol.TeamMemberList{Members: members.TeamMembersOf(ms)})
}

func (h teamHandlers) addMember(c echo.Context) error {
	var in members.NewMember
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	m, err := h.members.AddTeamMember(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("teamId"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, members.TeamMemberOf(m))
}

func (h teamHandlers) removeMember(c echo.Context) error {
	err := h.members.RemoveTeamMember(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("teamId"), c.Param("memberId"))
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h teamHandlers) invites(c echo.Context) error {
	ms, err := h.members.Invites(c.Request().Context(), c.Param("room"), inviteEmailOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, protocol.InviteList{Invites: members.TeamMembersOf(ms)})
}

func (h teamHandlers) accept(c echo.Context) error {
	m, err := h.members.AcceptInvite(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("id"), inviteEmailOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members.TeamMemberOf(m))
}

func (h teamHandlers) decline(c echo.Context) error {
	m, err := h.members.DeclineInvite(c.Request().Context(), callerOf(c), c.Param("room"), c.Param("id"), inviteEmailOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, members.TeamMemberOf(m))
}
