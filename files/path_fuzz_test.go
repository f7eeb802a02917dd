package files

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

// FuzzCheckPath: every path CheckPath accepts keeps the promises of PROTOCOL.md §7 and this
// package (bounded, UTF-8, no control character or backslash, no empty, "." or ".." segment, no
// leading '/'), and maps to an object key that parses back to the same room, scope and path.
// Every path it refuses is refused as a bad request. Run: go test -fuzz FuzzCheckPath ./files/
func FuzzCheckPath(f *testing.F) {
	for _, seed := range []string{
		"a", "a/b.txt", "docs/2026/report final.pdf", "..", "a/../b", "./a", "a/.", "/a", "a//b", "a/",
		"a\\b", "a\x00b", "a\x7fb", "\xff", "é/ü", strings.Repeat("x", 512), strings.Repeat("x", 513),
		"...", ".a", "a..b", "%2e%2e", "a\u2028b", "\ufeffa",
	} {
		f.Add(seed, "bob")
	}
	f.Add("x", "a/b")
	f.Add("x", "..")
	f.Fuzz(func(t *testing.T, p, userID string) {
		err := CheckPath(p)
		if err != nil {
			require.Equal(t, protocol.BadRequest, protocol.ErrorOf(err).Code)
			return
		}
		require.True(t, len(p) >= 1 && len(p) <= MaxPathBytes)
		require.True(t, utf8.ValidString(p))
		require.False(t, strings.HasPrefix(p, "/"))
		for _, seg := range strings.Split(p, "/") {
			require.NotContains(t, []string{"", ".", ".."}, seg)
		}
		for _, r := range p {
			require.False(t, unicode.IsControl(r) || r == '\\', "rune %q", r)
		}
		if userID == "" {
			return
		}
		room, scopeKey, path, ok := parseKey(objectKey("room-1", "users/"+userID, p))
		require.True(t, ok)
		require.Equal(t, "room-1", room)
		require.Equal(t, "users/"+userID, scopeKey)
		require.Equal(t, p, path)
	})
}
