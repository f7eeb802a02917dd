package db

import (
	"context"
	"time"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// Team is a named group of a room's users.
type Team struct {
	Room, ID, Name, CreatedBy string
	CreatedAt, UpdatedAt      time.Time
}

func teamFromRow(r dbsqlc.Team) Team {
	return Team{Room: r.RoomID, ID: r.ID, Name: r.Name, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// TeamList lists a room's teams, oldest first.
func (s Store) TeamList(ctx context.Context, room string) ([]Team, error) {
	rows, err := s.q.TeamList(ctx, room)
	if err != nil {
		return nil, translate(err, "list teams")
	}
	teams := make([]Team, len(rows))
	for i, r := range rows {
		teams[i] = teamFromRow(r)
	}
	return teams, nil
}

// TeamGet reads one team; ErrNotFound when there is none.
func (s Store) TeamGet(ctx context.Context, room, id string) (Team, error) {
	row, err := s.q.TeamGet(ctx, dbsqlc.TeamGetParams{RoomID: room, ID: id})
	if err != nil {
		return Team{}, translate(err, "get team")
	}
	return teamFromRow(row), nil
}

// TeamInsert creates a team; ErrConflict when the id is taken.
func (s Store) TeamInsert(ctx context.Context, t Team) (Team, error) {
	row, err := s.q.TeamInsert(ctx, dbsqlc.TeamInsertParams{RoomID: t.Room, ID: t.ID, Name: t.Name, CreatedBy: t.CreatedBy})
	if err != nil {
		return Team{}, translate(err, "insert team")
	}
	return teamFromRow(row), nil
}

// TeamRename changes a team's name; ErrNotFound when there is no such team.
func (s Store) TeamRename(ctx context.Context, room, id, name string) (Team, error) {
	row, err := s.q.TeamRename(ctx, dbsqlc.TeamRenameParams{RoomID: room, ID: id, Name: name})
	if err != nil {
		return Team{}, translate(err, "rename team")
	}
	return teamFromRow(row), nil
}

// TeamDelete deletes a team with its memberships and invites; ErrNotFound when there is none.
func (s Store) TeamDelete(ctx context.Context, room, id string) error {
	n, err := s.q.TeamDelete(ctx, dbsqlc.TeamDeleteParams{RoomID: room, ID: id})
	return affected(n, err, "delete team")
}

// TeamMember is a user's membership of a team, or an invite to an email.
type TeamMember struct {
	Room, TeamID, ID     string
	UserID, Email        string // UserID "" unless active
	Role, Status         string
	InvitedBy            string
	CreatedAt, UpdatedAt time.Time
}

// Membership statuses.
const (
	StatusPending  = "pending"
	StatusActive   = "active"
	StatusDeclined = "declined"
)

func memberFromRow(r dbsqlc.TeamMember) TeamMember {
	return TeamMember{
		Room: r.RoomID, TeamID: r.TeamID, ID: r.ID, UserID: deref(r.UserID), Email: deref(r.Email),
		Role: r.Role, Status: r.Status, InvitedBy: r.InvitedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func membersFromRows(rows []dbsqlc.TeamMember, err error, doing string) ([]TeamMember, error) {
	if err != nil {
		return nil, translate(err, doing)
	}
	out := make([]TeamMember, len(rows))
	for i, r := range rows {
		out[i] = memberFromRow(r)
	}
	return out, nil
}

func memberFromResult(row dbsqlc.TeamMember, err error, doing string) (TeamMember, error) {
	if err != nil {
		return TeamMember{}, translate(err, doing)
	}
	return memberFromRow(row), nil
}

// TeamMemberList lists the memberships and invites of all of a room's teams.
func (s Store) TeamMemberList(ctx context.Context, room string) ([]TeamMember, error) {
	rows, err := s.q.TeamMemberList(ctx, room)
	return membersFromRows(rows, err, "list team members")
}

// TeamMemberListByTeam lists one team's memberships and invites.
func (s Store) TeamMemberListByTeam(ctx context.Context, room, team string) ([]TeamMember, error) {
	rows, err := s.q.TeamMemberListByTeam(ctx, dbsqlc.TeamMemberListByTeamParams{RoomID: room, TeamID: team})
	return membersFromRows(rows, err, "list team members")
}

// TeamMemberGet reads a membership or invite by its id (unique in the room).
func (s Store) TeamMemberGet(ctx context.Context, room, id string) (TeamMember, error) {
	row, err := s.q.TeamMemberGet(ctx, dbsqlc.TeamMemberGetParams{RoomID: room, ID: id})
	return memberFromResult(row, err, "get team member")
}

// TeamMemberGetByUser reads a user's membership of a team.
func (s Store) TeamMemberGetByUser(ctx context.Context, room, team, userID string) (TeamMember, error) {
	row, err := s.q.TeamMemberGetByUser(ctx, dbsqlc.TeamMemberGetByUserParams{RoomID: room, TeamID: team, UserID: &userID})
	return memberFromResult(row, err, "get team membership")
}

// TeamMemberInsert adds a membership or an invite; ErrConflict when the user is in the team
// already or the email has a pending invite to it.
func (s Store) TeamMemberInsert(ctx context.Context, m TeamMember) (TeamMember, error) {
	row, err := s.q.TeamMemberInsert(ctx, dbsqlc.TeamMemberInsertParams{
		RoomID: m.Room, TeamID: m.TeamID, ID: m.ID, UserID: nullable(m.UserID), Email: nullable(m.Email),
		Role: m.Role, Status: m.Status, InvitedBy: m.InvitedBy,
	})
	return memberFromResult(row, err, "insert team member")
}

// TeamMemberDelete removes a membership or invite from a team; ErrNotFound when there is none.
func (s Store) TeamMemberDelete(ctx context.Context, room, team, id string) error {
	n, err := s.q.TeamMemberDelete(ctx, dbsqlc.TeamMemberDeleteParams{RoomID: room, TeamID: team, ID: id})
	return affected(n, err, "delete team member")
}

// TeamMemberDeleteByUser ends all of a user's memberships in the room.
func (s Store) TeamMemberDeleteByUser(ctx context.Context, room, userID string) error {
	_, err := s.q.TeamMemberDeleteByUser(ctx, dbsqlc.TeamMemberDeleteByUserParams{RoomID: room, UserID: &userID})
	return translate(err, "delete user's team memberships")
}

// InviteListByEmail lists the pending invites to email (stored lowercased) in the room.
func (s Store) InviteListByEmail(ctx context.Context, room, email string) ([]TeamMember, error) {
	rows, err := s.q.InviteListByEmail(ctx, dbsqlc.InviteListByEmailParams{RoomID: room, Email: &email})
	return membersFromRows(rows, err, "list invites")
}

// InviteAccept makes a pending invite userID's membership; ErrNotFound when it is not pending.
func (s Store) InviteAccept(ctx context.Context, room, id, userID string) (TeamMember, error) {
	row, err := s.q.InviteAccept(ctx, dbsqlc.InviteAcceptParams{RoomID: room, ID: id, UserID: &userID})
	return memberFromResult(row, err, "accept invite")
}

// InviteDecline marks a pending invite declined; ErrNotFound when it is not pending.
func (s Store) InviteDecline(ctx context.Context, room, id string) (TeamMember, error) {
	row, err := s.q.InviteDecline(ctx, dbsqlc.InviteDeclineParams{RoomID: room, ID: id})
	return memberFromResult(row, err, "decline invite")
}

// InviteAcceptAll accepts the pending invites to email for userID, except in teams the user is
// in already, and returns the memberships made.
func (s Store) InviteAcceptAll(ctx context.Context, room, email, userID string) ([]TeamMember, error) {
	rows, err := s.q.InviteAcceptAll(ctx, dbsqlc.InviteAcceptAllParams{RoomID: room, Email: &email, UserID: &userID})
	return membersFromRows(rows, err, "accept invites")
}
