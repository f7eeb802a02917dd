package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is the contract's one timestamp format: UTC with microseconds, the precision Postgres
// stores, "2026-11-27T10:00:00.123456Z" (docs/protocol.md: PROTOCOL.md's examples show
// milliseconds; the six digits let a client order records exactly as the server does, and its
// fixed width makes string order time order). Records, users, teams, members, files and
// where-objects all use it.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime renders t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Time is a timestamp that reads and writes JSON in TimeLayout. It embeds time.Time, so a
// client reads it as one (rec.CreatedAt.Before(t), rec.CreatedAt.Time); time.Time's own JSON
// rendering drops trailing zeros of the fraction, which the contract keeps.
type Time struct{ time.Time }

// MarshalJSON renders t in TimeLayout.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads any RFC 3339 timestamp; null leaves t as it is, as for time.Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("read timestamp: %w", err)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("read timestamp: %w", err)
	}
	t.Time = v
	return nil
}
