package db

import (
	"context"
	"time"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// User is a user's membership of a room.
type User struct {
	Room        string
	ID          string
	Role        string
	Email       string // "" when the token had none
	Name        string
	FirstSeenAt time.Time
	LastSeenAt  time.Time
}

// UserGet reads a room's user.
func (s Store) UserGet(ctx context.Context, room, userID string) (User, error) {
	row, err := s.q.UserGet(ctx, dbsqlc.UserGetParams{RoomID: room, UserID: userID})
	if err != nil {
		return User{}, translate(err, "get user")
	}
	return userFromRow(row), nil
}

// UserInsert adds a user to a room; when the user exists already, it returns that row unchanged.
func (s Store) UserInsert(ctx context.Context, u User) (User, error) {
	row, err := s.q.UserInsert(ctx, dbsqlc.UserInsertParams{
		RoomID: u.Room, UserID: u.ID, Role: u.Role, Email: nullable(u.Email), Name: nullable(u.Name),
	})
	if err != nil {
		return User{}, translate(err, "insert user")
	}
	return userFromRow(row), nil
}

// UserSeen records a visit and the token's current email and name.
func (s Store) UserSeen(ctx context.Context, room, userID, email, name string) (User, error) {
	row, err := s.q.UserSeen(ctx, dbsqlc.UserSeenParams{
		RoomID: room, UserID: userID, Email: nullable(email), Name: nullable(name),
	})
	if err != nil {
		return User{}, translate(err, "update user")
	}
	return userFromRow(row), nil
}

// UserList lists a room's users, oldest first.
func (s Store) UserList(ctx context.Context, room string) ([]User, error) {
	rows, err := s.q.UserList(ctx, room)
	if err != nil {
		return nil, translate(err, "list users")
	}
	users := make([]User, len(rows))
	for i, r := range rows {
		users[i] = userFromRow(r)
	}
	return users, nil
}

// UserSetRole changes a user's role.
func (s Store) UserSetRole(ctx context.Context, room, userID, role string) (User, error) {
	row, err := s.q.UserSetRole(ctx, dbsqlc.UserSetRoleParams{RoomID: room, UserID: userID, Role: role})
	if err != nil {
		return User{}, translate(err, "set user role")
	}
	return userFromRow(row), nil
}

// UserCountAdmins counts a room's admins.
func (s Store) UserCountAdmins(ctx context.Context, room string) (int64, error) {
	n, err := s.q.UserCountAdmins(ctx, room)
	return n, translate(err, "count admins")
}

// UserDelete removes a user from a room; ErrNotFound when there is none.
func (s Store) UserDelete(ctx context.Context, room, userID string) error {
	n, err := s.q.UserDelete(ctx, dbsqlc.UserDeleteParams{RoomID: room, UserID: userID})
	return affected(n, err, "delete user")
}

func userFromRow(r dbsqlc.User) User {
	return User{
		Room: r.RoomID, ID: r.UserID, Role: r.Role, Email: deref(r.Email), Name: deref(r.Name),
		FirstSeenAt: r.FirstSeenAt, LastSeenAt: r.LastSeenAt,
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
