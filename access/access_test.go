package access

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// The whole of PROTOCOL.md §2's table, spelled out case by case rather than recomputed, so
// that the test cannot share a mistake with the code.
func TestAllowedMatchesTheProtocolTable(t *testing.T) {
	t.Parallel()
	// want[level][op] lists, per role, whether a non-owner / the owner is allowed.
	type cell struct{ other, owner bool }
	type row map[Role]cell
	want := map[Level]map[Op]row{
		LevelViewer: {
			Read:   {Viewer: {true, true}, Member: {true, true}, Admin: {true, true}},
			Create: {Viewer: {false, false}, Member: {false, false}, Admin: {false, false}},
			Update: {Viewer: {false, false}, Member: {false, false}, Admin: {false, false}},
		},
		LevelMember: {
			Read:   {Viewer: {false, false}, Member: {true, true}, Admin: {true, true}},
			Create: {Viewer: {false, false}, Member: {true, true}, Admin: {true, true}},
			Update: {Viewer: {false, false}, Member: {true, true}, Admin: {true, true}},
		},
		LevelAdmin: {
			Read:   {Viewer: {false, false}, Member: {false, false}, Admin: {true, true}},
			Create: {Viewer: {false, false}, Member: {false, false}, Admin: {true, true}},
			Update: {Viewer: {false, false}, Member: {false, false}, Admin: {true, true}},
		},
		LevelOwner: {
			Read:   {Viewer: {false, true}, Member: {false, true}, Admin: {false, true}},
			Create: {Viewer: {false, false}, Member: {true, true}, Admin: {true, true}},
			Update: {Viewer: {false, false}, Member: {false, true}, Admin: {false, true}},
		},
	}
	for level, ops := range want {
		for op, roles := range ops {
			for role, c := range roles {
				caller := Caller{UserID: "me", Role: role}
				creator := "someone-else"
				if op == Create {
					creator = ""
				}
				require.Equal(t, c.other, Allowed(caller, level, op, creator), "%s %s op %d, not the creator", role, level, op)
				if op != Create {
					require.Equal(t, c.owner, Allowed(caller, level, op, "me"), "%s %s op %d, the creator", role, level, op)
				}
			}
		}
	}
}

func TestAnonymousCallersOwnNothingAndNeverWrite(t *testing.T) {
	t.Parallel()
	anon := Caller{Role: Viewer}
	require.True(t, Allowed(anon, LevelViewer, Read, "alice"))
	require.False(t, Allowed(anon, LevelOwner, Read, ""), "an empty creator is nobody's record")
	for _, level := range []Level{LevelViewer, LevelMember, LevelAdmin, LevelOwner} {
		require.False(t, Allowed(anon, level, Create, ""))
		require.False(t, Allowed(anon, level, Update, ""))
	}
}

func TestUnknownRolesAndLevelsAreRefused(t *testing.T) {
	t.Parallel()
	require.False(t, Allowed(Caller{UserID: "a", Role: "root"}, LevelViewer, Read, "a"))
	require.False(t, Allowed(Caller{UserID: "a", Role: Admin}, "everyone", Read, "a"))
	for _, s := range []string{"", "owner", "Admin", "superuser"} {
		_, err := ParseRole(s)
		require.Error(t, err, s)
	}
	_, err := ParseWriteLevel("viewer")
	require.ErrorContains(t, err, "want member, admin or owner")
	for _, s := range []string{"viewer", "member", "admin", "owner"} {
		l, err := ParseReadLevel(s)
		require.NoError(t, err)
		require.Equal(t, Level(s), l, fmt.Sprint(s))
	}
}
