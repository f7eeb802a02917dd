package realtime

import (
	"encoding/json"

	"github.com/recordroom/recordroom/protocol"
)

// ProtocolVersion is announced in hello.
const ProtocolVersion = 1

// clientMessage is any message a client sends (PROTOCOL.md §4); which fields matter depends on
// Type.
type clientMessage struct {
	Type       string          `json:"type"`
	Ref        string          `json:"ref"`
	Sub        string          `json:"sub"`
	Collection string          `json:"collection"`
	ID         string          `json:"id"`
	Where      json.RawMessage `json:"where"`
	OrderBy    json.RawMessage `json:"orderBy"`
	Limit      *int            `json:"limit"`
	Data       json.RawMessage `json:"data"`
	Replace    bool            `json:"replace"`
	IfVersion  *int64          `json:"ifVersion"`
}

type helloMessage struct {
	Type     string    `json:"type"`
	Protocol int       `json:"protocol"`
	Room     string    `json:"room"`
	User     helloUser `json:"user"`
	Replica  string    `json:"replica"`
}

type helloUser struct {
	ID   *string `json:"id"` // null for anonymous viewers
	Role string  `json:"role"`
}

type snapshotMessage struct {
	Type    string `json:"type"`
	Sub     string `json:"sub"`
	Records []any  `json:"records"`
}

type ackMessage struct {
	Type   string `json:"type"`
	Ref    string `json:"ref"`
	Record any    `json:"record,omitempty"`
	ID     string `json:"id,omitempty"`
}

type pongMessage struct {
	Type string `json:"type"`
	Ref  string `json:"ref,omitempty"`
}

type errorMessage struct {
	Type    string            `json:"type"`
	Ref     string            `json:"ref,omitempty"`
	Sub     string            `json:"sub,omitempty"`
	Code    protocol.Code     `json:"code"`
	Message string            `json:"message"`
	Details []protocol.Detail `json:"details,omitempty"`
}

// docErrorMessage is a failed Yjs message on the main socket (PROTOCOL.md §6).
type docErrorMessage struct {
	Type    string        `json:"type"`
	Doc     string        `json:"doc"`
	Code    protocol.Code `json:"code"`
	Message string        `json:"message"`
}

// Close codes of PROTOCOL.md §4.
const (
	closeInternal     = 1011
	CloseTokenExpired = 4001
	CloseRemoved      = 4003
	CloseTooSlow      = 4008
)
