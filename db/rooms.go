package db

import (
	"context"
	"encoding/json"
	"time"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// Room is one canvas or standalone app: its settings and schema.
type Room struct {
	ID             string
	DefaultRole    string
	AllowAnonymous bool
	// Schema is the room's schema JSON, nil when the room has none (open mode or the server's
	// default schema).
	Schema    json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RoomEnsure creates the room if it does not exist yet.
func (s Store) RoomEnsure(ctx context.Context, roomID string) error {
	return translate(s.q.RoomEnsure(ctx, roomID), "ensure room")
}

// RoomGet reads a room's settings.
func (s Store) RoomGet(ctx context.Context, roomID string) (Room, error) {
	row, err := s.q.RoomGet(ctx, roomID)
	if err != nil {
		return Room{}, translate(err, "get room")
	}
	return roomFromRow(row), nil
}

func roomFromRow(r dbsqlc.Room) Room {
	return Room{
		ID:             r.RoomID,
		DefaultRole:    r.DefaultRole,
		AllowAnonymous: r.AllowAnonymous,
		Schema:         r.Schema,
		CreatedAt:      r.CreatedAt,
		UpdatedAt:      r.UpdatedAt,
	}
}

// RoomLock locks the room's row until the transaction ends and tells whether it has users yet
// and the role newcomers get.
func (s Store) RoomLock(ctx context.Context, roomID string) (defaultRole string, hasUsers bool, err error) {
	row, err := s.q.RoomLock(ctx, roomID)
	if err != nil {
		return "", false, translate(err, "lock room")
	}
	return row.DefaultRole, row.HasUsers, nil
}

// RoomUpdateSettings sets the role newcomers get and whether anonymous viewers are let in.
func (s Store) RoomUpdateSettings(ctx context.Context, roomID, defaultRole string, allowAnonymous bool) (Room, error) {
	row, err := s.q.RoomUpdateSettings(ctx, dbsqlc.RoomUpdateSettingsParams{
		RoomID: roomID, DefaultRole: defaultRole, AllowAnonymous: allowAnonymous,
	})
	if err != nil {
		return Room{}, translate(err, "update room settings")
	}
	return roomFromRow(row), nil
}

// RoomSetSchema replaces the room's schema document.
func (s Store) RoomSetSchema(ctx context.Context, roomID string, schema json.RawMessage) (Room, error) {
	row, err := s.q.RoomSetSchema(ctx, dbsqlc.RoomSetSchemaParams{RoomID: roomID, Schema: schema})
	if err != nil {
		return Room{}, translate(err, "set room schema")
	}
	return roomFromRow(row), nil
}
