package yjs

import (
	"cmp"
	"slices"
)

// DecodeStateVector decodes a state vector (client → next expected clock)
// under DefaultLimits.
func DecodeStateVector(sv []byte) (map[uint64]uint64, error) {
	return DecodeStateVectorLimits(sv, DefaultLimits())
}

// DecodeStateVectorLimits decodes a state vector: a count, then that many
// (client, clock) pairs. A client listed twice keeps its last clock, as in
// yjs. At most lim.MaxClients entries; no trailing bytes.
func DecodeStateVectorLimits(sv []byte, lim Limits) (map[uint64]uint64, error) {
	lim = lim.withDefaults()
	d := Decoder{buf: sv}
	n, err := d.readLen() // a pair takes two bytes or more
	if err != nil {
		return nil, err
	}
	if n > lim.MaxClients {
		return nil, tooLarge("MaxClients", lim.MaxClients)
	}
	m := make(map[uint64]uint64, n/2)
	for range n {
		client, err := d.ReadVarUint()
		if err != nil {
			return nil, err
		}
		clock, err := d.ReadVarUint()
		if err != nil {
			return nil, err
		}
		m[client] = clock
	}
	if d.Len() > 0 {
		return nil, d.fail("trailing bytes after the state vector")
	}
	return m, nil
}

// EncodeStateVector encodes a state vector with clients in descending
// order, as yjs's encodeStateVector does.
func EncodeStateVector(sv map[uint64]uint64) []byte {
	clients := make([]uint64, 0, len(sv))
	for c := range sv {
		clients = append(clients, c)
	}
	slices.SortFunc(clients, func(a, b uint64) int { return cmp.Compare(b, a) })
	var e Encoder
	e.WriteVarUint(uint64(len(clients)))
	for _, c := range clients {
		e.WriteVarUint(c)
		e.WriteVarUint(sv[c])
	}
	return e.buf
}

// StateVectorFromUpdate returns the state vector of an update under
// DefaultLimits.
func StateVectorFromUpdate(update []byte) ([]byte, error) {
	return StateVectorFromUpdateLimits(update, DefaultLimits())
}

// StateVectorFromUpdateLimits returns the encoded state vector of an
// update, as yjs's encodeStateVectorFromUpdate does and with the same bytes:
// for each client whose structs start at clock 0, the clock up to which
// they are contiguous (up to the first Skip), in the update's client order.
// update is bounded by lim.MaxDocumentBytes and read completely.
func StateVectorFromUpdateLimits(update []byte, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	if len(update) > lim.MaxDocumentBytes {
		return nil, tooLarge("MaxDocumentBytes", lim.MaxDocumentBytes)
	}
	var r structReader
	r.init(update, &lim)
	var entries []ID // Clock holds the state
	s, ok := r.next()
	if ok {
		client, stop := s.ID.Client, s.ID.Clock != 0
		var clock uint64
		if !stop {
			clock = s.End() // counted even if s is a Skip: yjs does so
		}
		for ; ok; s, ok = r.next() {
			if s.ID.Client != client {
				if clock != 0 {
					entries = append(entries, ID{Client: client, Clock: clock})
				}
				client, clock, stop = s.ID.Client, 0, s.ID.Clock != 0
			}
			stop = stop || s.Kind == StructSkip
			if !stop {
				clock = s.End()
			}
		}
		if clock != 0 {
			entries = append(entries, ID{Client: client, Clock: clock})
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	var e Encoder
	e.WriteVarUint(uint64(len(entries)))
	for _, en := range entries {
		e.WriteVarUint(en.Client)
		e.WriteVarUint(en.Clock)
	}
	return e.buf, nil
}
