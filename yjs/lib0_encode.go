package yjs

import (
	"encoding/binary"
	"math"
)

// Encoder appends lib0-encoded values to a growing byte slice. The zero
// value is ready to use.
type Encoder struct {
	buf []byte
}

// Bytes returns the encoded bytes. They alias the Encoder's buffer until the
// next write.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes written.
func (e *Encoder) Len() int { return len(e.buf) }

// Reset empties the Encoder, keeping its buffer.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// WriteUint8 writes one byte.
func (e *Encoder) WriteUint8(b byte) { e.buf = append(e.buf, b) }

// WriteBytes writes raw bytes, without a length prefix.
func (e *Encoder) WriteBytes(b []byte) { e.buf = append(e.buf, b...) }

// WriteVarUint writes an unsigned varint. JavaScript peers can only read
// values up to MaxSafeInteger.
func (e *Encoder) WriteVarUint(v uint64) {
	for v > 0x7f {
		e.buf = append(e.buf, byte(v)|0x80)
		v >>= 7
	}
	e.buf = append(e.buf, byte(v))
}

// WriteVarInt writes a signed varint in lib0's sign-and-magnitude form.
func (e *Encoder) WriteVarInt(v int64) {
	mag := uint64(v)
	if v < 0 {
		mag = -mag
	}
	e.writeVarIntSign(mag, v < 0)
}

func (e *Encoder) writeVarIntSign(mag uint64, neg bool) {
	b := byte(mag & 0x3f)
	if neg {
		b |= 0x40
	}
	mag >>= 6
	if mag > 0 {
		b |= 0x80
	}
	e.buf = append(e.buf, b)
	for mag > 0 {
		b = byte(mag & 0x7f)
		mag >>= 7
		if mag > 0 {
			b |= 0x80
		}
		e.buf = append(e.buf, b)
	}
}

// WriteVarString writes a length-prefixed string.
func (e *Encoder) WriteVarString(s string) {
	e.WriteVarUint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// WriteVarUint8Array writes a length-prefixed byte array.
func (e *Encoder) WriteVarUint8Array(b []byte) {
	e.WriteVarUint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

func (e *Encoder) writeFloat32(f float32) {
	e.buf = binary.BigEndian.AppendUint32(e.buf, math.Float32bits(f))
}

func (e *Encoder) writeFloat64(f float64) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(f))
}

// varUintLen returns how many bytes WriteVarUint(v) writes.
func varUintLen(v uint64) int {
	n := 1
	for v > 0x7f {
		v >>= 7
		n++
	}
	return n
}
