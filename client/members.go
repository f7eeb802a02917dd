package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/recordroom/recordroom/protocol"
)

// User is a room's user row (PROTOCOL.md §1); Me sets Anonymous for an anonymous caller, who
// has no row.
type User = protocol.User

// Settings are a room's settings.
type Settings = protocol.Settings

// SettingsPatch changes the settings it names; nil fields stay as they are.
type SettingsPatch = protocol.SettingsPatch

// Me reads the caller's user row and role (created on first access: the room's first user
// becomes its admin).
func (r *REST) Me(ctx context.Context) (User, error) {
	var u User
	return u, r.call(ctx, request{method: http.MethodGet, path: "/me"}, &u)
}

// Users lists the room's users (role ≥ member).
func (r *REST) Users(ctx context.Context) ([]User, error) {
	var list protocol.UserList
	return list.Users, r.call(ctx, request{method: http.MethodGet, path: "/users"}, &list)
}

// SetRole changes a user's role: "viewer", "member" or "admin" (admin only).
func (r *REST) SetRole(ctx context.Context, userID, role string) (User, error) {
	req, err := jsonRequest(http.MethodPatch, escapePath("users", userID), protocol.RoleChange{Role: role})
	if err != nil {
		return User{}, err
	}
	var u User
	return u, r.call(ctx, req, &u)
}

// RemoveUser removes a user from the room (admin only); their WebSockets close with 4003.
func (r *REST) RemoveUser(ctx context.Context, userID string) error {
	return r.call(ctx, request{method: http.MethodDelete, path: escapePath("users", userID)}, nil)
}

// Settings reads the room's settings.
func (r *REST) Settings(ctx context.Context) (Settings, error) {
	var s Settings
	return s, r.call(ctx, request{method: http.MethodGet, path: "/settings"}, &s)
}

// UpdateSettings changes the settings the patch names (admin only) and returns them all.
func (r *REST) UpdateSettings(ctx context.Context, patch SettingsPatch) (Settings, error) {
	req, err := jsonRequest(http.MethodPatch, "/settings", patch)
	if err != nil {
		return Settings{}, err
	}
	var s Settings
	return s, r.call(ctx, req, &s)
}

// Schema reads the schema in force (role ≥ member): the room's own, else the server's default;
// nil in open mode.
func (r *REST) Schema(ctx context.Context) (json.RawMessage, error) {
	var s json.RawMessage
	if err := r.call(ctx, request{method: http.MethodGet, path: "/schema"}, &s); err != nil {
		return nil, err
	}
	if string(s) == "null" {
		return nil, nil
	}
	return s, nil
}

// SetSchema replaces the room's schema (admin only; docs/schemas.md) and returns it as stored.
func (r *REST) SetSchema(ctx context.Context, schema any) (json.RawMessage, error) {
	req, err := jsonRequest(http.MethodPut, "/schema", schema)
	if err != nil {
		return nil, err
	}
	var s json.RawMessage
	return s, r.call(ctx, req, &s)
}
