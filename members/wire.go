package members

import (
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// The one mapping of the room's people to their wire shapes, used by REST and by the WebSocket's
// system collections alike, so the two cannot show a row differently.

// UserOf is a user row as clients see it.
func UserOf(u db.User) protocol.User {
	return protocol.User{ID: u.ID, UserData: protocol.UserData{
		Role: u.Role, Email: u.Email, Name: u.Name,
		FirstSeenAt: protocol.Time{Time: u.FirstSeenAt}, LastSeenAt: protocol.Time{Time: u.LastSeenAt},
	}}
}

// TeamOf is a team as clients see it.
func TeamOf(t db.Team) protocol.Team {
	return protocol.Team{ID: t.ID, TeamData: protocol.TeamData{
		Name: t.Name, CreatedBy: t.CreatedBy,
		CreatedAt: protocol.Time{Time: t.CreatedAt}, UpdatedAt: protocol.Time{Time: t.UpdatedAt},
	}}
}

// TeamMemberOf is a membership or invite as clients see it.
func TeamMemberOf(m db.TeamMember) protocol.TeamMember {
	return protocol.TeamMember{ID: m.ID, TeamMemberData: protocol.TeamMemberData{
		TeamID: m.TeamID, UserID: m.UserID, Email: m.Email, Role: m.Role, Status: m.Status, InvitedBy: m.InvitedBy,
		CreatedAt: protocol.Time{Time: m.CreatedAt}, UpdatedAt: protocol.Time{Time: m.UpdatedAt},
	}}
}

// TeamMembersOf maps a list of memberships or invites.
func TeamMembersOf(ms []db.TeamMember) []protocol.TeamMember {
	out := make([]protocol.TeamMember, len(ms))
	for i, m := range ms {
		out[i] = TeamMemberOf(m)
	}
	return out
}
