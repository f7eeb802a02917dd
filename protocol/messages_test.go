package protocol_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

// What one side writes, the other reads whole: each typed message decodes into the union the
// other side reads, with nothing lost.
func TestMessagesReadAsWritten(t *testing.T) {
	t.Parallel()
	v, limit := int64(3), 5
	roundTrip := func(v, into any) {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, into))
	}
	var cm protocol.ClientMessage
	roundTrip(protocol.Subscribe{Type: protocol.TypeSubscribe, Sub: "s1", Collection: "tasks",
		Where: json.RawMessage(`{"a":1}`), OrderBy: []protocol.OrderKey{{Field: "a", Dir: "desc"}}, Limit: limit}, &cm)
	require.Equal(t, protocol.ClientMessage{Type: protocol.TypeSubscribe, Sub: "s1", Collection: "tasks",
		Where: json.RawMessage(`{"a":1}`), OrderBy: json.RawMessage(`[{"field":"a","dir":"desc"}]`), Limit: &limit}, cm)
	cm = protocol.ClientMessage{}
	roundTrip(protocol.Mutation{Type: protocol.TypePut, Ref: "m1", Collection: "tasks", ID: "t1",
		Data: json.RawMessage(`{"x":1}`), Replace: true, IfVersion: &v}, &cm)
	require.Equal(t, protocol.ClientMessage{Type: protocol.TypePut, Ref: "m1", Collection: "tasks", ID: "t1",
		Data: json.RawMessage(`{"x":1}`), Replace: true, IfVersion: &v}, cm)

	rec := protocol.Record{ID: "t1", Collection: "tasks", UserID: "alice", Data: json.RawMessage(`{}`), Version: 1, CreatedAt: at, UpdatedAt: at}
	var sm protocol.ServerMessage
	roundTrip(protocol.Ack{Type: protocol.TypeAck, Ref: "m1", Record: &rec}, &sm)
	require.Equal(t, protocol.ServerMessage{Type: protocol.TypeAck, Ref: "m1", Record: &rec}, sm)
	sm = protocol.ServerMessage{}
	roundTrip(protocol.Changes{Type: protocol.TypeChanges, Sub: "s1", Upserts: []any{rec}, Removes: []string{"t2"}}, &sm)
	require.Equal(t, protocol.ServerMessage{Type: protocol.TypeChanges, Sub: "s1", Upserts: []protocol.Record{rec}, Removes: []string{"t2"}}, sm)
	sm = protocol.ServerMessage{}
	alice := "alice"
	roundTrip(protocol.Hello{Type: protocol.TypeHello, Protocol: protocol.Version, Room: "r1",
		User: protocol.Caller{ID: &alice, Role: "admin"}, Replica: "x"}, &sm)
	require.Equal(t, protocol.ServerMessage{Type: protocol.TypeHello, Protocol: 1, Room: "r1",
		User: protocol.Caller{ID: &alice, Role: "admin"}, Replica: "x"}, sm)
	sm = protocol.ServerMessage{}
	roundTrip(protocol.ErrorMessage{Type: protocol.TypeError, Sub: "s1", Code: protocol.Invalid, Message: "bad",
		Details: []protocol.Detail{{Path: "a", Message: "no"}}}, &sm)
	require.Equal(t, &protocol.Error{Code: protocol.Invalid, Message: "bad", Details: []protocol.Detail{{Path: "a", Message: "no"}}}, sm.Err())
	require.Equal(t, "s1", sm.Sub)
}
