package client

import (
	"context"
	"net/http"

	"github.com/recordroom/recordroom/protocol"
)

// Team is a team of the room.
type Team = protocol.Team

// TeamMember is a membership (Status "active", UserID set) or an invite (Status "pending" or
// "declined", Email set).
type TeamMember = protocol.TeamMember

// TeamMemberAdd adds a user of the room (UserID) or invites an address (Email): exactly one.
type TeamMemberAdd = protocol.TeamMemberAdd

// Teams lists the room's teams (role ≥ member).
func (r *REST) Teams(ctx context.Context) ([]Team, error) {
	var list protocol.TeamList
	return list.Teams, r.call(ctx, request{method: http.MethodGet, path: "/teams"}, &list)
}

// Team reads one team.
func (r *REST) Team(ctx context.Context, teamID string) (Team, error) {
	var t Team
	return t, r.call(ctx, request{method: http.MethodGet, path: escapePath("teams", teamID)}, &t)
}

// CreateTeam creates a team (admin only); id "" lets the server choose one.
func (r *REST) CreateTeam(ctx context.Context, id, name string) (Team, error) {
	req, err := jsonRequest(http.MethodPost, "/teams", protocol.TeamCreate{ID: id, Name: name})
	if err != nil {
		return Team{}, err
	}
	var t Team
	return t, r.call(ctx, req, &t)
}

// RenameTeam renames a team (admin only).
func (r *REST) RenameTeam(ctx context.Context, teamID, name string) (Team, error) {
	req, err := jsonRequest(http.MethodPatch, escapePath("teams", teamID), protocol.TeamRename{Name: name})
	if err != nil {
		return Team{}, err
	}
	var t Team
	return t, r.call(ctx, req, &t)
}

// DeleteTeam deletes a team with its memberships and invites (admin only).
func (r *REST) DeleteTeam(ctx context.Context, teamID string) error {
	return r.call(ctx, request{method: http.MethodDelete, path: escapePath("teams", teamID)}, nil)
}

// TeamMembers lists a team's members and invites (role ≥ member).
func (r *REST) TeamMembers(ctx context.Context, teamID string) ([]TeamMember, error) {
	var list protocol.TeamMemberList
	return list.Members, r.call(ctx, request{method: http.MethodGet, path: escapePath("teams", teamID, "members")}, &list)
}

// AddTeamMember adds a user or invites an email (admin only).
func (r *REST) AddTeamMember(ctx context.Context, teamID string, add TeamMemberAdd) (TeamMember, error) {
	req, err := jsonRequest(http.MethodPost, escapePath("teams", teamID, "members"), add)
	if err != nil {
		return TeamMember{}, err
	}
	var m TeamMember
	return m, r.call(ctx, req, &m)
}

// RemoveTeamMember removes a membership or invite (admin, or the member themself).
func (r *REST) RemoveTeamMember(ctx context.Context, teamID, memberID string) error {
	return r.call(ctx, request{method: http.MethodDelete, path: escapePath("teams", teamID, "members", memberID)}, nil)
}

// Invites lists the caller's pending invites (matched by their token's email).
func (r *REST) Invites(ctx context.Context) ([]TeamMember, error) {
	var list protocol.InviteList
	return list.Invites, r.call(ctx, request{method: http.MethodGet, path: "/invites"}, &list)
}

// AcceptInvite makes an invite the caller's membership, and returns it.
func (r *REST) AcceptInvite(ctx context.Context, inviteID string) (TeamMember, error) {
	var m TeamMember
	return m, r.call(ctx, request{method: http.MethodPost, path: escapePath("invites", inviteID, "accept")}, &m)
}

// DeclineInvite declines an invite, and returns it.
func (r *REST) DeclineInvite(ctx context.Context, inviteID string) (TeamMember, error) {
	var m TeamMember
	return m, r.call(ctx, request{method: http.MethodPost, path: escapePath("invites", inviteID, "decline")}, &m)
}
