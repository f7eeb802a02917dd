package protocol_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

var at = protocol.Time{Time: time.Date(2026, 11, 27, 10, 0, 0, 123e6, time.UTC)}

// The shapes render byte for byte as PROTOCOL.md writes them: field names and order, which
// fields are left out when empty, and the time format.
func TestShapesJSON(t *testing.T) {
	t.Parallel()
	alice := "alice"
	for _, c := range []struct {
		v    any
		want string
	}{
		{protocol.Record{ID: "t1", Collection: "tasks", UserID: "alice", Data: json.RawMessage(`{"title":"x"}`), Version: 3, CreatedAt: at, UpdatedAt: at},
			`{"id":"t1","collection":"tasks","userId":"alice","data":{"title":"x"},"version":3,"createdAt":"2026-11-27T10:00:00.123000Z","updatedAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.RecordPage{Records: []protocol.Record{}}, `{"records":[]}`},
		{protocol.User{ID: "alice", UserData: protocol.UserData{Role: "member", Email: "a@x.org", Name: "Alice", FirstSeenAt: at, LastSeenAt: at}},
			`{"id":"alice","role":"member","email":"a@x.org","name":"Alice","firstSeenAt":"2026-11-27T10:00:00.123000Z","lastSeenAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.User{ID: "bob", UserData: protocol.UserData{Role: "viewer", FirstSeenAt: at, LastSeenAt: at}},
			`{"id":"bob","role":"viewer","firstSeenAt":"2026-11-27T10:00:00.123000Z","lastSeenAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.Caller{Role: "viewer", Anonymous: true}, `{"id":null,"role":"viewer","anonymous":true}`},
		{protocol.Caller{ID: &alice, Role: "admin"}, `{"id":"alice","role":"admin"}`},
		{protocol.Team{ID: "t", TeamData: protocol.TeamData{Name: "Ops", CreatedBy: "alice", CreatedAt: at, UpdatedAt: at}},
			`{"id":"t","name":"Ops","createdBy":"alice","createdAt":"2026-11-27T10:00:00.123000Z","updatedAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.TeamMember{ID: "m", TeamMemberData: protocol.TeamMemberData{TeamID: "t", Email: "c@x.org", Role: "member", Status: "pending", InvitedBy: "alice", CreatedAt: at, UpdatedAt: at}},
			`{"id":"m","teamId":"t","email":"c@x.org","role":"member","status":"pending","invitedBy":"alice","createdAt":"2026-11-27T10:00:00.123000Z","updatedAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.SystemItem{ID: "t", Data: json.RawMessage(`{"name":"Ops"}`)}, `{"id":"t","data":{"name":"Ops"}}`},
		{protocol.File{Path: "a.txt", Scope: "user", Size: 3, ContentType: "text/plain", ETag: `"abc"`, CreatedBy: "bob", UpdatedAt: at},
			`{"path":"a.txt","scope":"user","size":3,"contentType":"text/plain","etag":"\"abc\"","createdBy":"bob","updatedAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.FileURL{URL: "https://s3/x", ExpiresAt: at}, `{"url":"https://s3/x","expiresAt":"2026-11-27T10:00:00.123000Z"}`},
		{protocol.ErrorBody{Error: protocol.New(protocol.NotFound, "no such record")}, `{"error":{"code":"not_found","message":"no such record"}}`},
	} {
		b, err := json.Marshal(c.v)
		require.NoError(t, err)
		require.Equal(t, c.want, string(b))
	}
}
