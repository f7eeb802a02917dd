package yjs

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// AwarenessEntry is one client's state in an awareness update.
type AwarenessEntry struct {
	ClientID uint64
	// Clock orders a client's states; receivers keep the highest.
	Clock uint64
	// State is the client's state as JSON; "null" means the client left.
	State json.RawMessage
}

// Removed reports whether the entry says the client left (state null).
func (e AwarenessEntry) Removed() bool {
	return string(bytes.TrimSpace(e.State)) == "null"
}

// DecodeAwareness decodes an awareness update under DefaultLimits.
func DecodeAwareness(b []byte) ([]AwarenessEntry, error) {
	return DecodeAwarenessLimits(b, DefaultLimits())
}

// DecodeAwarenessLimits decodes an awareness update: a count, then per
// client its id, clock and state as a JSON string. Each state must be JSON
// (y-protocols JSON.parses it). States are copied: callers keep them after
// the input buffer is reused.
func DecodeAwarenessLimits(b []byte, lim Limits) ([]AwarenessEntry, error) {
	lim = lim.withDefaults()
	d := Decoder{buf: b}
	n, err := d.readLen() // an entry takes three bytes or more
	if err != nil {
		return nil, err
	}
	if n > lim.MaxClients {
		return nil, tooLarge("MaxClients", lim.MaxClients)
	}
	entries := make([]AwarenessEntry, 0, n/3)
	for range n {
		e, err := decodeAwarenessEntry(&d, &lim)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if d.Len() > 0 {
		return nil, d.fail("trailing bytes after the awareness update")
	}
	return entries, nil
}

func decodeAwarenessEntry(d *Decoder, lim *Limits) (AwarenessEntry, error) {
	var e AwarenessEntry
	var err error
	if e.ClientID, err = d.ReadVarUint(); err != nil {
		return e, err
	}
	if e.Clock, err = d.ReadVarUint(); err != nil {
		return e, err
	}
	start := d.pos
	state, err := d.readUTF8(lim.MaxStringBytes)
	if err != nil {
		return e, err
	}
	if err := checkJSON(state, lim.MaxAnyDepth, start); err != nil {
		return e, err
	}
	e.State = bytes.Clone(state)
	return e, nil
}

// EncodeAwareness encodes entries as an awareness update. An empty State
// is written as null (the client left); any other State must be JSON.
func EncodeAwareness(entries []AwarenessEntry) ([]byte, error) {
	var e Encoder
	e.WriteVarUint(uint64(len(entries)))
	for _, en := range entries {
		state := en.State
		if len(state) == 0 {
			state = json.RawMessage("null")
		}
		if !utf8.Valid(state) || !json.Valid(state) {
			return nil, errors.New("yjs: awareness state is not JSON")
		}
		e.WriteVarUint(en.ClientID)
		e.WriteVarUint(en.Clock)
		e.WriteVarUint8Array(state)
	}
	return e.buf, nil
}
