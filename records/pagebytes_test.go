package records_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/records"
)

// A REST page holds at most PageBytes of record data, whatever its limit: it ends early with a
// next cursor, and walking the pages gives every record exactly once.
func TestPagesAreBoundedByBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServiceWith(t, "", records.Limits{PageBytes: 100_000})
	pad := strings.Repeat("x", 30_000)
	for i := range 10 {
		_, err := s.Create(ctx, alice, key("big", fmt.Sprintf("r%02d", i)), json.RawMessage(`{"pad":"`+pad+`"}`))
		require.NoError(t, err)
	}
	var seen []string
	q := records.Query{Limit: 100, OrderBy: json.RawMessage(`[{"field":"id"}]`)}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "the walk ends")
		page, err := s.Query(ctx, alice, "r", "big", q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Records), 4, "30 KB records, 100 KB a page: the fourth passes the bound and ends it")
		for _, r := range page.Records {
			seen = append(seen, r.ID)
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	want := make([]string, 10)
	for i := range want {
		want[i] = fmt.Sprintf("r%02d", i)
	}
	require.Equal(t, want, seen)
}
