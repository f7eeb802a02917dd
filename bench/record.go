package bench

import (
	"strconv"
	"time"
)

// recordData is the data of every record the benchmark writes, through the server and straight
// into the table alike, so both paths store the same shape: a send time in Unix nanoseconds
// (delivery latency is measured against it, on the one clock of this process), the writer, a
// sequence number and a line of text, about the size of a small widget record.
func recordData(t time.Time, writer int, seq int64) []byte {
	b := make([]byte, 0, 112)
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, t.UnixNano(), 10)
	b = append(b, `,"w":`...)
	b = strconv.AppendInt(b, int64(writer), 10)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"text":"a benchmark record of ordinary size"}`...)
	return b
}

// payload is what the benchmark reads back out of a delivered record's data.
type payload struct {
	T int64 `json:"t"`
	W int   `json:"w"`
	N int64 `json:"n"`
}

// sentAt is the time recorded in p.
func (p payload) sentAt() time.Time { return time.Unix(0, p.T) }
