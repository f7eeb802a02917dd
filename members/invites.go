package members

import (
	"context"
	"errors"
	"strings"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// An invite is a team membership waiting for the owner of an email. Whoever holds a token whose
// verified email claim is that address may accept or decline it; nobody else can see it.

// Invites lists the pending invites to email, the caller's verified email ("" for none).
func (s *Service) Invites(ctx context.Context, room, email string) ([]db.TeamMember, error) {
	if email == "" {
		return []db.TeamMember{}, nil
	}
	return s.db.InviteListByEmail(ctx, room, strings.ToLower(email))
}

// AcceptInvite makes the invite the caller's membership. An invite the caller already holds a
// membership of that team for is spent: it is deleted and the existing membership returned.
func (s *Service) AcceptInvite(ctx context.Context, caller access.Caller, room, id, email string) (db.TeamMember, error) {
	var m db.TeamMember
	err := s.db.InTx(ctx, func(tx db.Store) error {
		invite, err := inviteTo(ctx, tx, caller, room, id, email)
		if err != nil {
			return err
		}
		m, err = tx.TeamMemberGetByUser(ctx, room, invite.TeamID, caller.UserID)
		switch {
		case err == nil:
			return tx.TeamMemberDelete(ctx, room, invite.TeamID, invite.ID)
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		m, err = tx.InviteAccept(ctx, room, id, caller.UserID)
		return noInvite(err, id)
	})
	return m, err
}

// DeclineInvite marks the invite declined; the team's admins see that, and may invite again.
func (s *Service) DeclineInvite(ctx context.Context, caller access.Caller, room, id, email string) (db.TeamMember, error) {
	var m db.TeamMember
	err := s.db.InTx(ctx, func(tx db.Store) error {
		if _, err := inviteTo(ctx, tx, caller, room, id, email); err != nil {
			return err
		}
		var err error
		m, err = tx.InviteDecline(ctx, room, id)
		return noInvite(err, id)
	})
	return m, err
}

// inviteTo reads a pending invite addressed to email; anything else (no such id, an active
// membership, someone else's invite) is not_found, so ids cannot be probed.
func inviteTo(ctx context.Context, tx db.Store, caller access.Caller, room, id, email string) (db.TeamMember, error) {
	if caller.UserID == "" || email == "" {
		return db.TeamMember{}, noInvite(db.ErrNotFound, id)
	}
	m, err := tx.TeamMemberGet(ctx, room, id)
	if err == nil && (m.Status != db.StatusPending || m.Email != strings.ToLower(email)) {
		err = db.ErrNotFound
	}
	return m, noInvite(err, id)
}

func noInvite(err error, id string) error {
	return notFound(err, "no pending invite %q to your email", protocol.Clip(id))
}
