package records

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/filter"
	"github.com/recordroom/recordroom/internal/ids"
	"github.com/recordroom/recordroom/protocol"
)

// Record is a record as clients see it: the wire shape itself (PROTOCOL.md §3).
type Record = protocol.Record

// FromDB converts a stored record: the one mapping REST and WebSocket share.
func FromDB(r db.Record) Record {
	return Record{
		ID: r.ID, Collection: r.Collection, UserID: r.UserID, Data: r.Data, Version: r.Version,
		CreatedAt: protocol.Time{Time: r.CreatedAt}, UpdatedAt: protocol.Time{Time: r.UpdatedAt},
	}
}

// ToDB converts back to the stored form, for code that handles both (the WebSocket fan-out).
func ToDB(r Record, room string) db.Record {
	return db.Record{
		Room: room, Collection: r.Collection, ID: r.ID, UserID: r.UserID, Data: r.Data, Version: r.Version,
		CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
	}
}

// Doc is what filters see of a record; data that does not decode (never stored by this
// server) reads as empty.
func Doc(r db.Record) filter.Doc {
	data, _ := decodeObject(r.Data)
	return filter.Doc{ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Data: data}
}

// checkID validates a client-chosen id, or makes a UUIDv7 when there is none.
func checkID(id string) (string, error) {
	if id == "" {
		return ids.New()
	}
	return id, checkGivenID(id)
}

// checkGivenID validates the id of an existing (or to be upserted) record.
func checkGivenID(id string) error {
	if !ids.Valid(id) {
		return protocol.New(protocol.BadRequest, "invalid id %q: %s", protocol.Clip(id), ids.Rule)
	}
	return nil
}

// MaxDepth is how deeply record data may nest (PROTOCOL.md §2).
const MaxDepth = 64

// decodeData parses record data sent by a client: a JSON object, nested at most MaxDepth levels.
// Numbers stay json.Number, so they are stored exactly as sent.
func decodeData(raw json.RawMessage) (map[string]any, error) {
	if d := depth(raw); d > MaxDepth {
		return nil, protocol.New(protocol.BadRequest, "data nests %d levels deep: at most %d", d, MaxDepth)
	}
	data, err := decodeObject(raw)
	if err != nil {
		return nil, protocol.New(protocol.BadRequest, "data must be a JSON object: %v", err)
	}
	if err := checkStorable(raw); err != nil {
		return nil, err
	}
	return data, nil
}

// checkData checks data that nothing will look inside as decodeData would, without decoding
// it: a collection without field checks stores any object as sent, and decoding every create's
// data into maps was a tenth of the write path's CPU.
func checkData(raw json.RawMessage) error {
	if d := depth(raw); d > MaxDepth {
		return protocol.New(protocol.BadRequest, "data nests %d levels deep: at most %d", d, MaxDepth)
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if !json.Valid(raw) || len(trimmed) == 0 || trimmed[0] != '{' {
		return protocol.New(protocol.BadRequest, "data must be a JSON object")
	}
	return checkStorable(raw)
}

func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("got null")
	}
	if _, err := dec.Token(); err != io.EOF { // dec.More misses a stray `}` or `]`
		return nil, fmt.Errorf("trailing data after the object")
	}
	return data, nil
}

// depth is the deepest nesting of arrays and objects in raw, found in one pass without
// decoding, so that hostile input is refused before it costs anything.
func depth(raw []byte) int {
	d, deepest, inString, escaped := 0, 0, false, false
	for _, c := range raw {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			d++
			deepest = max(deepest, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return deepest
}
