package protocol_test

import (
	"encoding/json"
	"math/rand/v2"
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

// AppendTime, written digit by digit for speed, renders every time as time.Time's own Format
// with TimeLayout does.
func TestAppendTimeIsFormat(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{{}, time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 10000 {
		times = append(times, time.Unix(rng.Int64N(400e9)-100e9, rng.Int64N(1e9)).In(time.FixedZone("z", rng.IntN(50000)-25000)))
	}
	for _, at := range times {
		require.Equal(t, at.UTC().Format(protocol.TimeLayout), string(protocol.AppendTime(nil, at)), "%v", at)
	}
}
