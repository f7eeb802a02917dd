package yjs

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVarUint(t *testing.T) {
	t.Parallel()
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<32 - 1, 1 << 40, MaxSafeInteger} {
		var e Encoder
		e.WriteVarUint(v)
		require.Equal(t, varUintLen(v), e.Len())
		d := NewDecoder(e.Bytes())
		got, err := d.ReadVarUint()
		require.NoError(t, err)
		require.Equal(t, v, got)
		require.Zero(t, d.Len())
	}
	var e Encoder
	e.WriteVarUint(MaxSafeInteger + 1)
	_, err := NewDecoder(e.Bytes()).ReadVarUint()
	require.ErrorIs(t, err, ErrMalformed, "beyond 2^53-1")
	_, err = NewDecoder([]byte{0x80, 0x80}).ReadVarUint()
	require.ErrorIs(t, err, ErrMalformed, "truncated")
	// lib0 writes 300 as AC 02
	require.Equal(t, []byte{0xac, 0x02}, func() []byte { var e Encoder; e.WriteVarUint(300); return e.Bytes() }())
}

func TestVarInt(t *testing.T) {
	t.Parallel()
	for _, v := range []int64{0, 1, -1, 63, -63, 64, -64, 1 << 31, -(1 << 40), MaxSafeInteger, -MaxSafeInteger} {
		var e Encoder
		e.WriteVarInt(v)
		got, err := NewDecoder(e.Bytes()).ReadVarInt()
		require.NoError(t, err)
		require.Equal(t, v, got)
	}
	var e Encoder
	e.WriteVarInt(-1)
	require.Equal(t, []byte{0x41}, e.Bytes(), "sign bit 0x40, as lib0")
}

func TestVarString(t *testing.T) {
	t.Parallel()
	var e Encoder
	e.WriteVarString("héllo 😀")
	e.WriteVarUint8Array([]byte{1, 2, 3})
	d := NewDecoder(e.Bytes())
	s, err := d.ReadVarString()
	require.NoError(t, err)
	require.Equal(t, "héllo 😀", s)
	b, err := d.ReadVarUint8Array()
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3}, b)

	_, err = NewDecoder([]byte{2, 0xc3, 0x28}).ReadVarString()
	require.ErrorIs(t, err, ErrMalformed)
	_, err = NewDecoder([]byte{0xff, 0xff, 0x03, 'a'}).ReadVarUint8Array()
	require.ErrorIs(t, err, ErrMalformed, "length beyond the input")
}

// WriteAny picks number encodings as lib0 does.
func TestWriteAnyNumbers(t *testing.T) {
	t.Parallel()
	enc := func(v any) []byte {
		var e Encoder
		require.NoError(t, e.WriteAny(v))
		return e.Bytes()
	}
	require.Equal(t, []byte{anyInteger, 0x05}, enc(5))
	require.Equal(t, []byte{anyInteger, 0x40}, enc(math.Copysign(0, -1)), "-0 keeps its sign")
	require.Equal(t, []byte{anyFloat32, 0x4f, 0, 0, 0}, enc(float64(1<<31)), "2^31 is a float32")
	require.Equal(t, byte(anyFloat64), enc(0.1)[0])
	require.Equal(t, byte(anyFloat32), enc(0.5)[0])
	require.Equal(t, byte(anyFloat64), enc(math.NaN())[0], "lib0 writes NaN as float64")
	require.Equal(t, []byte{anyBigInt, 0, 0, 0, 0, 0, 0, 0, 7}, enc(BigInt(7)))
}

func TestAnyRoundTrip(t *testing.T) {
	t.Parallel()
	v := []any{
		nil, Undefined{}, true, false, int64(-12), 0.5, 0.1, "x😀", []byte{9},
		BigInt(-42), AnyObject{{Key: "b", Value: int64(1)}, {Key: "a", Value: []any{}}},
	}
	var e Encoder
	require.NoError(t, e.WriteAny(v))
	got, err := NewDecoder(e.Bytes()).ReadAny()
	require.NoError(t, err)
	require.Equal(t, v, got)

	e.Reset()
	require.NoError(t, e.WriteAny(map[string]any{"b": 1, "10": 2, "2": 3, "a": 4}))
	got, err = NewDecoder(e.Bytes()).ReadAny()
	require.NoError(t, err)
	keys := []string{}
	for _, f := range got.(AnyObject) {
		keys = append(keys, f.Key)
	}
	require.Equal(t, []string{"2", "10", "a", "b"}, keys, "JavaScript key order")

	require.Error(t, e.WriteAny(struct{}{}))
	_, err = NewDecoder([]byte{0x70}).ReadAny()
	require.ErrorIs(t, err, ErrMalformed)
}

func TestUTF16Helpers(t *testing.T) {
	t.Parallel()
	n, ok := utf16Len([]byte("a😀é"))
	require.True(t, ok)
	require.Equal(t, uint64(4), n)
	_, ok = utf16Len([]byte{0xed, 0xa0, 0x80}) // an encoded surrogate
	require.False(t, ok)
	require.Equal(t, []byte("😀é"), dropUTF16([]byte("a😀é"), 1))
	require.Equal(t, []byte("\uFFFDé"), dropUTF16([]byte("a😀é"), 2), "inside a pair")
	require.Equal(t, []byte("é"), dropUTF16([]byte("a😀é"), 3))
	require.Empty(t, dropUTF16([]byte("a😀é"), 4))
}
