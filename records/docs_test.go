package records_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/protocol"
)

// DocAccess is the one answer both transports get for a Yjs document: a field document follows
// its record's read and write rules (owner means owner, even for an admin), any other name
// needs viewer to read and member to write.
func TestDocAccessFollowsTheRecordOrTheRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t, `{"collections":{"own":{"access":{"read":"owner","write":"owner"}},
		"pub":{"access":{"read":"viewer","write":"admin"}}}}`)
	bob := access.Caller{UserID: "bob", Role: access.Member}
	viewer := access.Caller{UserID: "vic", Role: access.Viewer}
	_, err := s.Create(ctx, bob, key("own", "b1"), json.RawMessage(`{}`))
	require.NoError(t, err)
	_, err = s.Create(ctx, alice, key("pub", "p1"), json.RawMessage(`{}`))
	require.NoError(t, err)

	type rights struct{ read, write bool }
	for _, c := range []struct {
		caller access.Caller
		name   string
		want   rights
		code   protocol.Code
	}{
		{bob, "own/b1/body", rights{true, true}, ""},
		{alice, "own/b1/body", rights{}, protocol.NotFound}, // another's owner-scoped record
		{bob, "pub/p1/body", rights{true, false}, ""},
		{viewer, "pub/p1/body", rights{true, false}, ""},
		{alice, "pub/p1/body", rights{true, true}, ""},
		{bob, "pub/missing/body", rights{}, protocol.NotFound},
		{viewer, "notes", rights{true, false}, ""},
		{bob, "notes", rights{true, true}, ""},
		{bob, "a/b", rights{true, true}, ""},           // two parts: not a field document
		{viewer, "own//body", rights{true, false}, ""}, // an empty part: not a field document
		{access.Caller{}, "notes", rights{}, ""},       // no role at all
	} {
		read, write, err := s.DocAccess(ctx, c.caller, "r", c.name)
		if c.code != "" {
			require.Equal(t, c.code, protocol.ErrorOf(err).Code, "%s as %s", c.name, c.caller.UserID)
			continue
		}
		require.NoError(t, err, "%s as %s", c.name, c.caller.UserID)
		require.Equal(t, c.want, rights{read, write}, "%s as %s", c.name, c.caller.UserID)
	}
}
