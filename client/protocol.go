package client

import "encoding/json"

// The WebSocket messages of PROTOCOL.md §4, as the client writes and reads them.

type subscribeMessage struct {
	Type       string          `json:"type"`
	Sub        string          `json:"sub"`
	Collection string          `json:"collection"`
	Where      json.RawMessage `json:"where,omitempty"`
	OrderBy    []OrderKey      `json:"orderBy,omitempty"`
	Limit      int             `json:"limit,omitempty"`
}

type unsubscribeMessage struct {
	Type string `json:"type"`
	Sub  string `json:"sub"`
}

type mutationMessage struct {
	Type       string          `json:"type"`
	Ref        string          `json:"ref"`
	Collection string          `json:"collection"`
	ID         string          `json:"id"`
	Data       json.RawMessage `json:"data,omitempty"`
	Replace    bool            `json:"replace,omitempty"`
	IfVersion  *int64          `json:"ifVersion,omitempty"`
}

// serverMessage is any message the server sends; which fields are set depends on Type.
type serverMessage struct {
	Type string `json:"type"`
	Sub  string `json:"sub"`
	Ref  string `json:"ref"`

	Records []Record `json:"records"` // snapshot
	Upserts []Record `json:"upserts"` // changes
	Removes []string `json:"removes"`
	Record  *Record  `json:"record"` // ack of create and put
	ID      string   `json:"id"`     // ack of remove

	Code    string        `json:"code"` // error
	Message string        `json:"message"`
	Details []ErrorDetail `json:"details"`

	Protocol int    `json:"protocol"` // hello
	Room     string `json:"room"`
	User     struct {
		ID   *string `json:"id"`
		Role string  `json:"role"`
	} `json:"user"`
	Replica string `json:"replica"`
}

func (m *serverMessage) err() *Error {
	return &Error{Code: m.Code, Message: m.Message, Details: m.Details}
}

func (m *serverMessage) hello() Hello {
	h := Hello{Protocol: m.Protocol, Room: m.Room, Role: m.User.Role, Replica: m.Replica}
	if m.User.ID != nil {
		h.UserID = *m.User.ID
	}
	return h
}
