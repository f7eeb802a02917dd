package schema_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/schema"
)

// A write level that admits callers the read level hides records from is reported, with the
// collection's path; every other pair is fine.
func TestBlindWrites(t *testing.T) {
	t.Parallel()
	blind := map[[2]string]bool{
		{"owner", "member"}: true, {"owner", "admin"}: true, {"admin", "member"}: true, {"admin", "owner"}: true,
	}
	for _, read := range []string{"viewer", "member", "admin", "owner"} {
		for _, write := range []string{"member", "admin", "owner"} {
			doc := fmt.Sprintf(`{"collections":{"a":{},"t":{"access":{"read":%q,"write":%q}}}}`, read, write)
			s, err := schema.Parse([]byte(doc))
			require.NoError(t, err, "stored schemas of every kind still load")
			err = s.BlindWrites()
			if !blind[[2]string{read, write}] {
				require.NoError(t, err, "read %s, write %s", read, write)
				continue
			}
			require.ErrorContains(t, err, "collections.t.access: write", "read %s, write %s", read, write)
		}
	}
	require.NoError(t, schema.Open().BlindWrites())
}
