package protocol

import "encoding/json"

// Version is the protocol version the server announces in hello.
const Version = 1

// The type of every JSON message on the main WebSocket (PROTOCOL.md §4).
const (
	// Sent by clients.
	TypeSubscribe   = "subscribe"
	TypeUnsubscribe = "unsubscribe"
	TypeCreate      = "create"
	TypePut         = "put"
	TypeRemove      = "remove"
	TypePing        = "ping"
	// Sent by the server.
	TypeHello    = "hello"
	TypeSnapshot = "snapshot"
	TypeChanges  = "changes"
	TypeAck      = "ack"
	TypePong     = "pong"
	TypeError    = "error"
)

// Close codes (PROTOCOL.md §4): why the server ended a socket, and whether to reconnect.
const (
	CloseTooBig       = 1009 // a frame over the limit
	CloseInternal     = 1011 // the server could not keep the socket exact: reconnect
	CloseRestarting   = 1012 // this server is shutting down: reconnect, to another replica
	CloseTokenExpired = 4001 // reconnect with a fresh token
	CloseRemoved      = 4003 // removed from the room (or anonymous viewers no longer admitted): do not reconnect
	CloseTooSlow      = 4008 // the send queue overflowed: reconnect and resubscribe
)

// The messages a client sends, as clients write them. The server reads every one of them as a
// ClientMessage.

// Subscribe starts (or replaces) the live query Sub.
type Subscribe struct {
	Type       string          `json:"type"` // TypeSubscribe
	Sub        string          `json:"sub"`
	Collection string          `json:"collection"`
	Where      json.RawMessage `json:"where,omitempty"`
	OrderBy    []OrderKey      `json:"orderBy,omitempty"`
	Limit      int             `json:"limit,omitempty"` // 0: the server's default
}

// OrderKey is one sort key of orderBy: a data path ("address.city") or id, userId, createdAt,
// updatedAt.
type OrderKey struct {
	Field string `json:"field"`
	Dir   string `json:"dir,omitempty"` // "asc" (the default) or "desc"
}

// Unsubscribe ends the live query Sub.
type Unsubscribe struct {
	Type string `json:"type"` // TypeUnsubscribe
	Sub  string `json:"sub"`
}

// Mutation is a create, put or remove (Type says which). Without a Ref it gets no ack
// (fire-and-forget), only its error.
type Mutation struct {
	Type       string          `json:"type"` // TypeCreate, TypePut or TypeRemove
	Ref        string          `json:"ref"`
	Collection string          `json:"collection"`
	ID         string          `json:"id"` // create: "" lets the server choose
	Data       json.RawMessage `json:"data,omitempty"`
	Replace    bool            `json:"replace,omitempty"`   // put
	IfVersion  *int64          `json:"ifVersion,omitempty"` // put, remove
}

// Ping asks for a pong naming Ref.
type Ping struct {
	Type string `json:"type"` // TypePing
	Ref  string `json:"ref,omitempty"`
}

// ClientMessage is any message a client sends, as the server reads it; which fields matter
// depends on Type. Where and OrderBy stay raw: the where-language parses them and names the
// offending path when they are wrong. An explicit limit of 0 is a mistake the server reports,
// hence the pointer.
type ClientMessage struct {
	Type       string          `json:"type"`
	Ref        string          `json:"ref,omitempty"`
	Sub        string          `json:"sub,omitempty"`
	Collection string          `json:"collection,omitempty"`
	ID         string          `json:"id,omitempty"`
	Where      json.RawMessage `json:"where,omitempty"`
	OrderBy    json.RawMessage `json:"orderBy,omitempty"`
	Limit      *int            `json:"limit,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Replace    bool            `json:"replace,omitempty"`
	IfVersion  *int64          `json:"ifVersion,omitempty"`
}

// The messages the server sends, as the server writes them. Clients read every one of them as a
// ServerMessage.

// Hello is the server's first message on every main socket.
type Hello struct {
	Type     string `json:"type"` // TypeHello
	Protocol int    `json:"protocol"`
	Room     string `json:"room"`
	User     Caller `json:"user"`
	Replica  string `json:"replica"`
}

// Snapshot is a subscription's whole result. Each of Records is a Record, or a SystemItem for
// a system collection, or either one's JSON encoding.
type Snapshot struct {
	Type    string `json:"type"` // TypeSnapshot
	Sub     string `json:"sub"`
	Records []any  `json:"records"`
}

// Changes is what changed in a subscription's result: records that entered it or changed
// within it (each as in Snapshot), and ids that left it.
type Changes struct {
	Type    string   `json:"type"` // TypeChanges
	Sub     string   `json:"sub"`
	Upserts []any    `json:"upserts"`
	Removes []string `json:"removes"`
}

// Ack confirms a mutation that named a Ref: a create or put with the record as stored, a
// remove with the removed id.
type Ack struct {
	Type   string  `json:"type"` // TypeAck
	Ref    string  `json:"ref"`
	Record *Record `json:"record,omitempty"`
	ID     string  `json:"id,omitempty"`
}

// Pong answers a Ping.
type Pong struct {
	Type string `json:"type"` // TypePong
	Ref  string `json:"ref,omitempty"`
}

// ErrorMessage is a failure: of the request Ref, of the subscription Sub, or of neither (a
// message too broken to name either).
type ErrorMessage struct {
	Type    string   `json:"type"` // TypeError
	Ref     string   `json:"ref,omitempty"`
	Sub     string   `json:"sub,omitempty"`
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
	// RetryAfterMs: as Error's, for a mutation refused by a rate limit.
	RetryAfterMs int64 `json:"retryAfterMs,omitempty"`
}

// DocError is a Yjs message on the main socket that was refused (PROTOCOL.md §6), in a text
// frame.
type DocError struct {
	Type    string `json:"type"` // TypeError
	Doc     string `json:"doc"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// ServerMessage is any message the server sends, as a client reads it; which fields are set
// depends on Type. System collections' items read as Records with only ID and Data.
type ServerMessage struct {
	Type string `json:"type"`
	Sub  string `json:"sub,omitempty"`
	Ref  string `json:"ref,omitempty"`
	Doc  string `json:"doc,omitempty"` // error of a Yjs document

	Records []Record `json:"records,omitempty"` // snapshot
	Upserts []Record `json:"upserts,omitempty"` // changes
	Removes []string `json:"removes,omitempty"`
	Record  *Record  `json:"record,omitempty"` // ack of create and put
	ID      string   `json:"id,omitempty"`     // ack of remove

	Code         Code     `json:"code,omitempty"` // error
	Message      string   `json:"message,omitempty"`
	Details      []Detail `json:"details,omitempty"`
	RetryAfterMs int64    `json:"retryAfterMs,omitempty"`

	Protocol int    `json:"protocol,omitempty"` // hello
	Room     string `json:"room,omitempty"`
	User     Caller `json:"user"`
	Replica  string `json:"replica,omitempty"`
}

// Err is an error message's error.
func (m *ServerMessage) Err() *Error {
	return &Error{Code: m.Code, Message: m.Message, Details: m.Details, RetryAfterMs: m.RetryAfterMs}
}
