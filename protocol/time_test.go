package protocol_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

// A time renders in UTC with exactly six fraction digits (the column's microseconds), and reads back from any RFC 3339
// rendering; null leaves it unset, as it does a time.Time.
func TestTimeJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 11, 0, 0, 120456789, time.FixedZone("x", 3600))
	b, err := json.Marshal(protocol.Time{Time: at})
	require.NoError(t, err)
	require.Equal(t, `"2026-11-27T10:00:00.120456Z"`, string(b))
	require.Equal(t, "2026-11-27T10:00:00.120456Z", protocol.FormatTime(at))

	var got protocol.Time
	require.NoError(t, json.Unmarshal([]byte(`"2026-11-27T11:00:00.12+01:00"`), &got))
	require.True(t, got.Equal(at.Truncate(10*time.Millisecond)))
	var unset protocol.Time
	require.NoError(t, json.Unmarshal([]byte(`null`), &unset))
	require.True(t, unset.IsZero())
	require.Error(t, json.Unmarshal([]byte(`"yesterday"`), &unset))
}
