package yjs

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// MaxSafeInteger is the largest integer lib0 (and so every JavaScript yjs
// client) can represent exactly: 2^53-1. Larger varUints are refused.
const MaxSafeInteger = 1<<53 - 1

// Decoder reads lib0-encoded values from a byte slice. It never panics and
// never allocates more than the remaining input justifies: a length prefix
// larger than what is left is an error before anything is allocated.
//
// Byte slices it returns alias the input.
type Decoder struct {
	buf []byte
	pos int
}

// NewDecoder returns a Decoder reading b from the start.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Len returns the number of unread bytes.
func (d *Decoder) Len() int { return len(d.buf) - d.pos }

// Offset returns the number of bytes read so far.
func (d *Decoder) Offset() int { return d.pos }

func (d *Decoder) fail(reason string) error { return malformed(reason, d.pos) }

func (d *Decoder) eof() error { return d.fail("unexpected end of input") }

// ReadUint8 reads one byte.
func (d *Decoder) ReadUint8() (byte, error) {
	if d.pos >= len(d.buf) {
		return 0, d.eof()
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

// ReadBytes reads n raw bytes.
func (d *Decoder) ReadBytes(n int) ([]byte, error) {
	if n < 0 || n > d.Len() {
		return nil, d.eof()
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

// ReadVarUint reads an unsigned varint (7 bits per byte, little end first).
// Values above MaxSafeInteger are refused, as lib0 refuses them.
func (d *Decoder) ReadVarUint() (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if d.pos >= len(d.buf) {
			return 0, d.eof()
		}
		b := d.buf[d.pos]
		d.pos++
		if shift >= 56 {
			return 0, d.fail("varUint overflow")
		}
		v |= uint64(b&0x7f) << shift
		if v > MaxSafeInteger {
			return 0, d.fail("varUint overflow")
		}
		if b < 0x80 {
			return v, nil
		}
	}
}

// readLen reads a varUint used as a count or length of what follows and
// checks it against the input left, so callers can size allocations by it.
func (d *Decoder) readLen() (int, error) {
	n, err := d.ReadVarUint()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.Len()) {
		return 0, d.fail("length prefix beyond end of input")
	}
	return int(n), nil
}

// ReadVarInt reads a signed varint in lib0's sign-and-magnitude form. The
// sign of zero is lost; readVarIntSign keeps it.
func (d *Decoder) ReadVarInt() (int64, error) {
	mag, neg, err := d.readVarIntSign()
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(mag), nil
	}
	return int64(mag), nil
}

// readVarIntSign reads lib0's varInt: the first byte holds a continuation
// bit, a sign bit and 6 bits of magnitude; later bytes hold 7 bits each.
func (d *Decoder) readVarIntSign() (mag uint64, neg bool, err error) {
	b, err := d.ReadUint8()
	if err != nil {
		return 0, false, err
	}
	mag = uint64(b & 0x3f)
	neg = b&0x40 != 0
	for shift := uint(6); b >= 0x80; shift += 7 {
		if b, err = d.ReadUint8(); err != nil {
			return 0, false, err
		}
		if shift >= 56 {
			return 0, false, d.fail("varInt overflow")
		}
		mag |= uint64(b&0x7f) << shift
		if mag > MaxSafeInteger {
			return 0, false, d.fail("varInt overflow")
		}
	}
	return mag, neg, nil
}

// ReadVarUint8Array reads a length-prefixed byte array.
func (d *Decoder) ReadVarUint8Array() ([]byte, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	return d.ReadBytes(n)
}

// readVarBytes reads a length-prefixed byte array of at most max bytes.
func (d *Decoder) readVarBytes(max int) ([]byte, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, tooLarge("MaxStringBytes", max)
	}
	return d.ReadBytes(n)
}

// readUTF8 reads a length-prefixed string of at most max bytes and checks
// it is UTF-8, without converting it to a Go string.
func (d *Decoder) readUTF8(max int) ([]byte, error) {
	start := d.pos
	b, err := d.readVarBytes(max)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		return nil, malformed("string is not UTF-8", start)
	}
	return b, nil
}

// ReadVarString reads a length-prefixed UTF-8 string. Invalid UTF-8 is
// refused (yjs clients always write valid UTF-8).
func (d *Decoder) ReadVarString() (string, error) {
	b, err := d.readUTF8(math.MaxInt)
	return string(b), err
}

// readFloat32 and readFloat64 read big-endian IEEE floats, as lib0 does.
func (d *Decoder) readFloat32() (float32, error) {
	b, err := d.ReadBytes(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
}

func (d *Decoder) readFloat64() (float64, error) {
	b, err := d.ReadBytes(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
}

// readInt64 reads a big-endian two's-complement int64 (lib0's BigInt64).
func (d *Decoder) readInt64() (int64, error) {
	b, err := d.ReadBytes(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
