package members

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/ids"
	"github.com/recordroom/recordroom/protocol"
)

// maxTeamNameBytes is the longest team name the teams table holds.
const maxTeamNameBytes = 256

// NewTeam is what a client sends to create a team; ID is optional (a UUIDv7 is made).
type NewTeam = protocol.TeamCreate

// Team reads one team; not_found when there is none.
func (s *Service) Team(ctx context.Context, room, id string) (db.Team, error) {
	t, err := s.db.TeamGet(ctx, room, id)
	return t, notFound(err, "no team %q in this room", protocol.Clip(id))
}

// CreateTeam makes a team (admins only); conflict when its id is taken.
func (s *Service) CreateTeam(ctx context.Context, caller access.Caller, room string, in NewTeam) (db.Team, error) {
	if err := adminOnly(caller, "create teams"); err != nil {
		return db.Team{}, err
	}
	if err := checkTeamName(in.Name); err != nil {
		return db.Team{}, err
	}
	id := in.ID
	if id == "" {
		var err error
		if id, err = ids.New(); err != nil {
			return db.Team{}, err
		}
	} else if !ids.Valid(id) {
		return db.Team{}, invalidField("id", "a team id is "+ids.Rule)
	}
	t, err := s.db.TeamInsert(ctx, db.Team{Room: room, ID: id, Name: in.Name, CreatedBy: caller.UserID})
	if err != nil {
		return db.Team{}, conflict(err, "team %q exists already", id)
	}
	return t, nil
}

// RenameTeam changes a team's name (admins only).
func (s *Service) RenameTeam(ctx context.Context, caller access.Caller, room, id, name string) (db.Team, error) {
	if err := adminOnly(caller, "rename teams"); err != nil {
		return db.Team{}, err
	}
	if err := checkTeamName(name); err != nil {
		return db.Team{}, err
	}
	t, err := s.db.TeamRename(ctx, room, id, name)
	return t, notFound(err, "no team %q in this room", protocol.Clip(id))
}

// DeleteTeam deletes a team with its memberships and invites (admins only).
func (s *Service) DeleteTeam(ctx context.Context, caller access.Caller, room, id string) error {
	if err := adminOnly(caller, "delete teams"); err != nil {
		return err
	}
	return notFound(s.db.TeamDelete(ctx, room, id), "no team %q in this room", protocol.Clip(id))
}

func checkTeamName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return invalidField("name", "a team needs a name")
	case len(name) > maxTeamNameBytes:
		return invalidField("name", "a team name is at most 256 bytes")
	case !utf8.ValidString(name):
		return invalidField("name", "a team name must be valid UTF-8")
	}
	return nil
}

func adminOnly(caller access.Caller, doing string) error {
	if caller.Role != access.Admin {
		return protocol.New(protocol.Forbidden, "only admins %s", doing)
	}
	return nil
}

func invalidField(path, message string) error {
	return &protocol.Error{Code: protocol.Invalid, Message: message,
		Details: []protocol.Detail{{Path: path, Message: message}}}
}

// conflict turns the database's conflict into the client's, with a message saying what clashed.
func conflict(err error, format string, args ...any) error {
	if errors.Is(err, db.ErrConflict) {
		return protocol.New(protocol.Conflict, format, args...)
	}
	return err
}
