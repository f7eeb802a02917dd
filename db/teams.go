package db

import (
	"context"
	"time"
)

// Team is a named group of a room's users.
type Team struct {
	Room, ID, Name, CreatedBy string
	CreatedAt, UpdatedAt      time.Time
}

// TeamList lists a room's teams, oldest first.
func (s Store) TeamList(ctx context.Context, room string) ([]Team, error) {
	rows, err := s.q.TeamList(ctx, room)
	if err != nil {
		return nil, translate(err, "list teams")
	}
	teams := make([]Team, len(rows))
	for i, r := range rows {
		teams[i] = Team{Room: r.RoomID, ID: r.ID, Name: r.Name, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return teams, nil
}

// TeamMember is a user's membership of a team, or a pending invite to an email.
type TeamMember struct {
	Room, TeamID, ID     string
	UserID, Email        string // UserID "" while pending
	Role, Status         string
	InvitedBy            string
	CreatedAt, UpdatedAt time.Time
}

// TeamMemberList lists the memberships and invites of all of a room's teams.
func (s Store) TeamMemberList(ctx context.Context, room string) ([]TeamMember, error) {
	rows, err := s.q.TeamMemberList(ctx, room)
	if err != nil {
		return nil, translate(err, "list team members")
	}
	members := make([]TeamMember, len(rows))
	for i, r := range rows {
		members[i] = TeamMember{
			Room: r.RoomID, TeamID: r.TeamID, ID: r.ID, UserID: deref(r.UserID), Email: deref(r.Email),
			Role: r.Role, Status: r.Status, InvitedBy: r.InvitedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		}
	}
	return members, nil
}
