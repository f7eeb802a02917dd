package members

import (
	"context"
	"net/mail"
	"strings"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/ids"
	"github.com/recordroom/recordroom/protocol"
)

// maxEmailBytes is the longest email an invite may go to (RFC 5321's path limit, less <>).
const maxEmailBytes = 320

// NewMember is what an admin sends to add a room user to a team (UserID) or to invite an email
// (Email): exactly one of the two. Role is the role in the team: member (default) or admin.
type NewMember = protocol.TeamMemberAdd

// TeamMembersOf lists one team's memberships and invites; not_found when there is no such team.
func (s *Service) TeamMembersOf(ctx context.Context, room, teamID string) ([]db.TeamMember, error) {
	if _, err := s.Team(ctx, room, teamID); err != nil {
		return nil, err
	}
	return s.db.TeamMemberListByTeam(ctx, room, teamID)
}

// AddTeamMember adds a user of the room to a team (active at once) or invites an email (pending
// until its owner accepts). Admins only.
func (s *Service) AddTeamMember(ctx context.Context, caller access.Caller, room, teamID string, in NewMember) (db.TeamMember, error) {
	if err := adminOnly(caller, "manage teams"); err != nil {
		return db.TeamMember{}, err
	}
	m, err := newMembership(caller, room, teamID, in)
	if err != nil {
		return db.TeamMember{}, err
	}
	err = s.db.InTx(ctx, func(tx db.Store) error {
		// The room lock orders this after any removal of the user being added.
		if _, _, err := tx.RoomLock(ctx, room); err != nil {
			return err
		}
		if _, err := tx.TeamGet(ctx, room, teamID); err != nil {
			return notFound(err, "no team %q in this room", protocol.Clip(teamID))
		}
		if m.UserID != "" {
			if _, err := tx.UserGet(ctx, room, m.UserID); err != nil {
				return notFound(err, "no user %q in this room", protocol.Clip(m.UserID))
			}
		}
		m, err = tx.TeamMemberInsert(ctx, m)
		if in.UserID != "" {
			return conflict(err, "user %q is in team %q already", in.UserID, teamID)
		}
		return conflict(err, "%s has a pending invite to team %q already", in.Email, teamID)
	})
	return m, err
}

// newMembership checks what an admin sent and shapes the row it makes.
func newMembership(caller access.Caller, room, teamID string, in NewMember) (db.TeamMember, error) {
	m := db.TeamMember{Room: room, TeamID: teamID, Role: in.Role, InvitedBy: caller.UserID}
	if m.Role == "" {
		m.Role = string(access.Member)
	}
	if m.Role != string(access.Member) && m.Role != string(access.Admin) {
		return m, invalidField("role", "a team role is member or admin")
	}
	switch {
	case (in.UserID == "") == (in.Email == ""):
		return m, invalidField("", "send exactly one of userId (add a user of the room) or email (invite)")
	case in.UserID != "":
		m.UserID, m.Status = in.UserID, db.StatusActive
	default:
		email, ok := normalEmail(in.Email)
		if !ok {
			return m, invalidField("email", "not an email address: "+protocol.Clip(in.Email))
		}
		m.Email, m.Status = email, db.StatusPending
	}
	var err error
	m.ID, err = ids.New()
	return m, err
}

// normalEmail checks that s is a bare address (no display name, no angle brackets) and returns
// it lowercased: invites match emails case-insensitively.
func normalEmail(s string) (string, bool) {
	if len(s) > maxEmailBytes {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	return strings.ToLower(s), true
}

// RemoveTeamMember takes a membership or invite out of a team. Admins remove anyone; any user
// may leave a team themselves.
func (s *Service) RemoveTeamMember(ctx context.Context, caller access.Caller, room, teamID, memberID string) error {
	if caller.Role != access.Admin && caller.UserID == "" {
		return protocol.New(protocol.Forbidden, "only admins manage teams")
	}
	m, err := s.db.TeamMemberGet(ctx, room, memberID)
	if err == nil && m.TeamID != teamID {
		err = db.ErrNotFound
	}
	if err != nil {
		return notFound(err, "no member %q in team %q", protocol.Clip(memberID), protocol.Clip(teamID))
	}
	if caller.Role != access.Admin && m.UserID != caller.UserID {
		return protocol.New(protocol.Forbidden, "only admins remove others from teams")
	}
	err = s.db.TeamMemberDelete(ctx, room, teamID, memberID)
	return notFound(err, "no member %q in team %q", protocol.Clip(memberID), protocol.Clip(teamID))
}
