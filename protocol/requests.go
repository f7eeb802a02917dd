package protocol

import "encoding/json"

// The REST request bodies (PROTOCOL.md §5), as clients write them and the server reads them, and
// the room settings both sides exchange. The WebSocket's mutations are Mutation.

// RecordCreate is the body of POST /collections/{c}/records; ID "" lets the server choose one (a
// UUIDv7).
type RecordCreate struct {
	ID   string          `json:"id,omitempty"`
	Data json.RawMessage `json:"data"`
}

// RecordPut is the body of PUT /collections/{c}/records/{id}; its ifVersion travels as If-Match.
type RecordPut struct {
	Data    json.RawMessage `json:"data"`
	Replace bool            `json:"replace,omitempty"`
}

// RoleChange is the body of PATCH /users/{userId}.
type RoleChange struct {
	Role string `json:"role"`
}

// TeamCreate is the body of POST /teams; ID "" lets the server choose one (a UUIDv7).
type TeamCreate struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// TeamRename is the body of PATCH /teams/{teamId}.
type TeamRename struct {
	Name string `json:"name"`
}

// TeamMemberAdd is the body of POST /teams/{teamId}/members: a user of the room (UserID) or an
// address to invite (Email), exactly one; Role is the role in the team, member (default) or
// admin.
type TeamMemberAdd struct {
	UserID string `json:"userId,omitempty"`
	Email  string `json:"email,omitempty"`
	Role   string `json:"role,omitempty"`
}

// Settings are what a room's admins decide for newcomers (GET /settings).
type Settings struct {
	DefaultRole    string `json:"defaultRole"`
	AllowAnonymous bool   `json:"allowAnonymous"`
}

// SettingsPatch is the body of PATCH /settings: it changes the settings it names; nil fields
// stay as they are.
type SettingsPatch struct {
	DefaultRole    *string `json:"defaultRole,omitempty"`
	AllowAnonymous *bool   `json:"allowAnonymous,omitempty"`
}

// Health is the answer of GET /healthz and GET /readyz: Status is "ok" (healthz), "ready" or
// "unavailable" (readyz, 503); Checks names each readiness condition with "ok" or what failed.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}
