// Package members manages who is in a room: users and their roles, the room's settings for
// newcomers, teams, team memberships and invites.
package members

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// SeenInterval is how stale lastSeenAt may get: refreshing it on every request would make every
// read a write (and a change notification).
const SeenInterval = time.Minute

// Service answers for a room's members.
type Service struct {
	db *db.DB
}

// New makes the service.
func New(database *db.DB) *Service { return &Service{db: database} }

// Visitor is who a verified token says is arriving.
type Visitor struct {
	UserID, Email, Name string
	// InviteEmail is the token's email when it may claim invites sent to it (the token does not
	// say it is unverified), else "".
	InviteEmail string
}

// Visit records a visit to room and returns the visitor's user row: on first access it creates
// the room and the row (the room's first user becomes its admin, later ones get the room's
// default role, and pending team invites to the visitor's email become memberships); later it
// refreshes lastSeenAt, email and name, at most once per SeenInterval when they are unchanged.
func (s *Service) Visit(ctx context.Context, room string, v Visitor) (db.User, error) {
	u, err := s.db.UserGet(ctx, room, v.UserID)
	switch {
	case err == nil:
		if time.Since(u.LastSeenAt) < SeenInterval && u.Email == v.Email && u.Name == v.Name {
			return u, nil
		}
		return s.db.UserSeen(ctx, room, v.UserID, v.Email, v.Name)
	case !errors.Is(err, db.ErrNotFound):
		return db.User{}, err
	}
	err = s.db.InTx(ctx, func(tx db.Store) error {
		if err := tx.RoomEnsure(ctx, room); err != nil {
			return err
		}
		defaultRole, hasUsers, err := tx.RoomLock(ctx, room)
		if err != nil {
			return err
		}
		role := defaultRole
		if !hasUsers {
			role = string(access.Admin)
		}
		u, err = tx.UserInsert(ctx, db.User{Room: room, ID: v.UserID, Role: role, Email: v.Email, Name: v.Name})
		if err != nil || v.InviteEmail == "" {
			return err
		}
		_, err = tx.InviteAcceptAll(ctx, room, strings.ToLower(v.InviteEmail), v.UserID)
		return err
	})
	return u, err
}

// Room returns the room's settings, creating the room on first access.
func (s *Service) Room(ctx context.Context, room string) (db.Room, error) {
	r, err := s.db.RoomGet(ctx, room)
	if errors.Is(err, db.ErrNotFound) {
		if err := s.db.RoomEnsure(ctx, room); err != nil {
			return db.Room{}, err
		}
		r, err = s.db.RoomGet(ctx, room)
	}
	return r, err
}

// ExistingRoom returns the room's settings, or the defaults of a room nobody has entered yet
// (without creating it).
func (s *Service) ExistingRoom(ctx context.Context, room string) (db.Room, error) {
	r, err := s.db.RoomGet(ctx, room)
	if errors.Is(err, db.ErrNotFound) {
		return db.Room{ID: room, DefaultRole: string(access.Member)}, nil
	}
	return r, err
}

// Users lists the room's users.
func (s *Service) Users(ctx context.Context, room string) ([]db.User, error) {
	return s.db.UserList(ctx, room)
}

// SetRole changes a user's role (admins only). The room's last admin cannot step down: a room
// without an admin could never change its schema or roles again.
func (s *Service) SetRole(ctx context.Context, caller access.Caller, room, userID string, role access.Role) (db.User, error) {
	if err := adminOnly(caller, "change roles"); err != nil {
		return db.User{}, err
	}
	var u db.User
	err := s.changeUser(ctx, room, userID, role == access.Admin, func(tx db.Store) (err error) {
		u, err = tx.UserSetRole(ctx, room, userID, string(role))
		return err
	})
	return u, err
}

// Remove takes a user out of the room and out of its teams (admins only). Their records stay,
// still theirs.
func (s *Service) Remove(ctx context.Context, caller access.Caller, room, userID string) error {
	if err := adminOnly(caller, "remove users"); err != nil {
		return err
	}
	return s.changeUser(ctx, room, userID, false, func(tx db.Store) error {
		if err := tx.UserDelete(ctx, room, userID); err != nil {
			return err
		}
		return tx.TeamMemberDeleteByUser(ctx, room, userID)
	})
}

// changeUser runs change on an existing user in one transaction, under the room's lock so that
// two admins cannot demote each other at once; when the user is an admin and stays no admin
// (stillAdmin false), the room must keep another.
func (s *Service) changeUser(ctx context.Context, room, userID string, stillAdmin bool, change func(db.Store) error) error {
	return s.db.InTx(ctx, func(tx db.Store) error {
		if _, _, err := tx.RoomLock(ctx, room); err != nil {
			return err
		}
		current, err := tx.UserGet(ctx, room, userID)
		if err != nil {
			return notFound(err, "no user %q in this room", userID)
		}
		if current.Role == string(access.Admin) && !stillAdmin {
			if err := needAnotherAdmin(ctx, tx, room); err != nil {
				return err
			}
		}
		return change(tx)
	})
}

// Settings are what a room's admins decide for newcomers, in the wire's shape.
type Settings = protocol.Settings

// SettingsPatch changes the settings it names.
type SettingsPatch = protocol.SettingsPatch

// UpdateSettings applies a patch (admins only).
func (s *Service) UpdateSettings(ctx context.Context, caller access.Caller, room string, p SettingsPatch) (Settings, error) {
	if err := adminOnly(caller, "change settings"); err != nil {
		return Settings{}, err
	}
	r, err := s.Room(ctx, room)
	if err != nil {
		return Settings{}, err
	}
	settings := SettingsOf(r)
	if p.DefaultRole != nil {
		role, err := access.ParseRole(*p.DefaultRole)
		if err != nil {
			return Settings{}, invalidField("defaultRole", err.Error())
		}
		settings.DefaultRole = string(role)
	}
	if p.AllowAnonymous != nil {
		settings.AllowAnonymous = *p.AllowAnonymous
	}
	r, err = s.db.RoomUpdateSettings(ctx, room, settings.DefaultRole, settings.AllowAnonymous)
	if err != nil {
		return Settings{}, err
	}
	return SettingsOf(r), nil
}

// SettingsOf reads a room's settings.
func SettingsOf(r db.Room) Settings {
	return Settings{DefaultRole: r.DefaultRole, AllowAnonymous: r.AllowAnonymous}
}

func needAnotherAdmin(ctx context.Context, tx db.Store, room string) error {
	n, err := tx.UserCountAdmins(ctx, room)
	if err != nil {
		return err
	}
	if n <= 1 {
		return protocol.New(protocol.Conflict, "the room's last admin cannot be removed or demoted: make another user admin first")
	}
	return nil
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, db.ErrNotFound) {
		return protocol.New(protocol.NotFound, format, args...)
	}
	return err
}

// User reads one user of the room; not_found when there is none (removed, or never came).
func (s *Service) User(ctx context.Context, room, userID string) (db.User, error) {
	u, err := s.db.UserGet(ctx, room, userID)
	return u, notFound(err, "no user %q in this room", userID)
}

// Teams lists the room's teams.
func (s *Service) Teams(ctx context.Context, room string) ([]db.Team, error) {
	return s.db.TeamList(ctx, room)
}

// TeamMembers lists the memberships and pending invites of all the room's teams.
func (s *Service) TeamMembers(ctx context.Context, room string) ([]db.TeamMember, error) {
	return s.db.TeamMemberList(ctx, room)
}
