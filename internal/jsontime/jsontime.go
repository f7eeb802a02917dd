// Package jsontime holds the contract's one timestamp format (PROTOCOL.md §1, §3): UTC with
// milliseconds, "2026-11-27T10:00:00.123Z". Records, users, teams, files and where-objects all
// render times with it.
package jsontime

import (
	"encoding/json"
	"time"
)

// Layout is the timestamp format.
const Layout = "2006-01-02T15:04:05.000Z"

// Format renders t in Layout.
func Format(t time.Time) string { return t.UTC().Format(Layout) }

// Time is a time that reads and writes JSON in the contract's format.
type Time time.Time

// MarshalJSON renders t in Layout.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + Format(time.Time(t)) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 timestamp.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	*t = Time(v)
	return err
}
