package client

import "github.com/recordroom/recordroom/protocol"

// The WebSocket messages are protocol's (PROTOCOL.md §4): the client writes protocol.Subscribe,
// Unsubscribe and Mutation and reads every answer as a protocol.ServerMessage. These turn what
// it reads into the client's own types.

// errorOf is an error message's error.
func errorOf(m *protocol.ServerMessage) *Error {
	return &Error{Code: string(m.Code), Message: m.Message, Details: m.Details, RetryAfterMs: m.RetryAfterMs}
}

// helloOf is what a hello message says about the connection.
func helloOf(m *protocol.ServerMessage) Hello {
	h := Hello{Protocol: m.Protocol, Room: m.Room, Role: m.User.Role, Replica: m.Replica}
	if m.User.ID != nil {
		h.UserID = *m.User.ID
	}
	return h
}
