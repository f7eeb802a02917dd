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
func FormatTime(t time.Time) string { return string(AppendTime(nil, t)) }

// AppendTime appends t in TimeLayout, digit by digit: every record of every message carries two
// timestamps, and time.Time.AppendFormat's general layout machinery was most of what encoding
// an acknowledgement cost. Years outside 0–9999 fall back to it (its rendering of them).
func AppendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeLayout)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = appendDigits(append(b, '-'), int(month), 2)
	b = appendDigits(append(b, '-'), day, 2)
	b = appendDigits(append(b, 'T'), hour, 2)
	b = appendDigits(append(b, ':'), minute, 2)
	b = appendDigits(append(b, ':'), sec, 2)
	b = appendDigits(append(b, '.'), t.Nanosecond()/1000, 6)
	return append(b, 'Z')
}

// appendDigits appends v (≥ 0) as exactly width (≤ 6) decimal digits.
func appendDigits(b []byte, v, width int) []byte {
	start := len(b)
	b = append(b, "000000"[:width]...)
	for i := len(b) - 1; i >= start; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// Time is a timestamp that reads and writes JSON in TimeLayout. It embeds time.Time, so a
// client reads it as one (rec.CreatedAt.Before(t), rec.CreatedAt.Time); time.Time's own JSON
// rendering drops trailing zeros of the fraction, which the contract keeps.
type Time struct{ time.Time }

// MarshalJSON renders t in TimeLayout.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = AppendTime(append(b, '"'), t.Time)
	return append(b, '"'), nil
}

// UnmarshalJSON reads any RFC 3339 timestamp; null leaves t as it is, as for time.Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		s = string(b[1 : n-1]) // no escapes: the string is its bytes
	} else if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("read timestamp: %w", err)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("read timestamp: %w", err)
	}
	t.Time = v
	return nil
}
