package protocol

import "encoding/json"

// Record is a record as every transport shows it (PROTOCOL.md §3).
type Record struct {
	ID         string          `json:"id"`
	Collection string          `json:"collection"`
	UserID     string          `json:"userId"` // the creator; never changes
	Data       json.RawMessage `json:"data"`
	Version    int64           `json:"version"` // 1 when created, +1 per update
	CreatedAt  Time            `json:"createdAt"`
	UpdatedAt  Time            `json:"updatedAt"`
}

// Decode unmarshals the record's data into v.
func (r Record) Decode(v any) error { return json.Unmarshal(r.Data, v) }

// RecordPage is one page of a REST record list: Next is the cursor to pass back as after,
// empty (and absent) on the last page.
type RecordPage struct {
	Records []Record `json:"records"`
	Next    string   `json:"next,omitempty"`
}

// SystemItem is an item of a system collection ($users, $teams, $teamMembers) over WebSocket
// (PROTOCOL.md §4): the id, and the rest of the row as data: a UserData, TeamData or
// TeamMemberData. Where-objects and orderBy see Data as a record's data.
type SystemItem struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// User is a room's user row (PROTOCOL.md §1).
type User struct {
	ID string `json:"id"`
	UserData
	// Anonymous is set only in GET /me's answer for an anonymous viewer (a Caller), who has no
	// row; the server never sets it on a User.
	Anonymous bool `json:"anonymous,omitempty"`
}

// UserData is a user row without its id: the data of a $users item.
type UserData struct {
	Role        string `json:"role"`
	Email       string `json:"email,omitempty"`
	Name        string `json:"name,omitempty"`
	FirstSeenAt Time   `json:"firstSeenAt"`
	LastSeenAt  Time   `json:"lastSeenAt"`
}

// Caller is who a connection or request speaks for: hello's user, and GET /me's answer for an
// anonymous viewer. ID is null for an anonymous viewer.
type Caller struct {
	ID        *string `json:"id"`
	Role      string  `json:"role"`
	Anonymous bool    `json:"anonymous,omitempty"` // set by GET /me only
}

// Team is a team of the room.
type Team struct {
	ID string `json:"id"`
	TeamData
}

// TeamData is a team without its id: the data of a $teams item.
type TeamData struct {
	Name      string `json:"name"`
	CreatedBy string `json:"createdBy"`
	CreatedAt Time   `json:"createdAt"`
	UpdatedAt Time   `json:"updatedAt"`
}

// TeamMember is a membership (Status "active", UserID set) or an invite (Status "pending" or
// "declined", Email set).
type TeamMember struct {
	ID string `json:"id"`
	TeamMemberData
}

// TeamMemberData is a membership or invite without its id: the data of a $teamMembers item.
type TeamMemberData struct {
	TeamID    string `json:"teamId"`
	UserID    string `json:"userId,omitempty"`
	Email     string `json:"email,omitempty"`
	Role      string `json:"role"` // "member" or "admin": a label within the team
	Status    string `json:"status"`
	InvitedBy string `json:"invitedBy"`
	CreatedAt Time   `json:"createdAt"`
	UpdatedAt Time   `json:"updatedAt"`
}

// File is a file's metadata (PROTOCOL.md §7).
type File struct {
	Path        string `json:"path"`
	Scope       string `json:"scope"` // self, user or widget
	Size        int64  `json:"size"`
	ContentType string `json:"contentType"`
	// ETag is the object's entity tag as the store gives it, quotes included, as in an HTTP
	// ETag header.
	ETag      string `json:"etag"`
	CreatedBy string `json:"createdBy"`
	UpdatedAt Time   `json:"updatedAt"`
}

// FileURL is GET /files/{scope}/{path}?redirect=false's answer: a presigned download URL,
// usable without a token until ExpiresAt.
type FileURL struct {
	URL       string `json:"url"`
	ExpiresAt Time   `json:"expiresAt"`
}

// The REST lists (PROTOCOL.md §5): an object holding an array named after the route.
type (
	// UserList is GET /users's answer.
	UserList struct {
		Users []User `json:"users"`
	}
	// TeamList is GET /teams's answer.
	TeamList struct {
		Teams []Team `json:"teams"`
	}
	// TeamMemberList is GET /teams/{teamId}/members's answer.
	TeamMemberList struct {
		Members []TeamMember `json:"members"`
	}
	// InviteList is GET /invites's answer.
	InviteList struct {
		Invites []TeamMember `json:"invites"`
	}
	// FileList is GET /files's answer.
	FileList struct {
		Files []File `json:"files"`
	}
)

// ErrorBody is how REST answers a failure: {"error": {...}}.
type ErrorBody struct {
	Error *Error `json:"error"`
}
