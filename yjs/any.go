package yjs

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// lib0 "any" type tags, written before each value.
const (
	anyUndefined = 127
	anyNull      = 126
	anyInteger   = 125
	anyFloat32   = 124
	anyFloat64   = 123
	anyBigInt    = 122
	anyFalse     = 121
	anyTrue      = 120
	anyString    = 119
	anyObject    = 118
	anyArray     = 117
	anyBytes     = 116
)

// Undefined is JavaScript's undefined as a lib0 "any" value.
type Undefined struct{}

// BigInt is a JavaScript bigint (lib0 encodes it as a 64-bit integer).
type BigInt int64

// AnyField is one key/value pair of an AnyObject.
type AnyField struct {
	Key   string
	Value any
}

// AnyObject is a JavaScript object as a lib0 "any" value, its fields in the
// order they are encoded (JavaScript's key order, which yjs relies on).
type AnyObject []AnyField

// ReadAny reads one lib0 "any" value. Values decode to: nil (null),
// Undefined, bool, int64 (lib0 integers), float64 (lib0 floats), BigInt,
// string, []byte, []any and AnyObject. Nesting deeper than
// DefaultLimits().MaxAnyDepth is refused.
func (d *Decoder) ReadAny() (any, error) {
	return d.readAny(DefaultLimits().MaxAnyDepth)
}

func (d *Decoder) readAny(depth int) (any, error) {
	tag, err := d.ReadUint8()
	if err != nil {
		return nil, err
	}
	switch tag {
	case anyUndefined:
		return Undefined{}, nil
	case anyNull:
		return nil, nil
	case anyTrue, anyFalse:
		return tag == anyTrue, nil
	case anyInteger:
		return d.ReadVarInt()
	case anyFloat32:
		f, err := d.readFloat32()
		return float64(f), err
	case anyFloat64:
		return d.readFloat64()
	case anyBigInt:
		v, err := d.readInt64()
		return BigInt(v), err
	case anyString:
		return d.ReadVarString()
	case anyBytes:
		return d.ReadVarUint8Array()
	case anyArray, anyObject:
		if depth <= 0 {
			return nil, tooLarge("MaxAnyDepth", DefaultLimits().MaxAnyDepth)
		}
		if tag == anyArray {
			return d.readAnyArray(depth - 1)
		}
		return d.readAnyObject(depth - 1)
	}
	d.pos--
	return nil, d.fail("unknown any type " + strconv.Itoa(int(tag)))
}

func (d *Decoder) readAnyArray(depth int) (any, error) {
	n, err := d.readLen() // every element takes at least one byte
	if err != nil {
		return nil, err
	}
	arr := make([]any, 0, n)
	for range n {
		v, err := d.readAny(depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	return arr, nil
}

func (d *Decoder) readAnyObject(depth int) (any, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	obj := make(AnyObject, 0, n/2) // a key and a value take two bytes or more
	for range n {
		k, err := d.ReadVarString()
		if err != nil {
			return nil, err
		}
		v, err := d.readAny(depth)
		if err != nil {
			return nil, err
		}
		obj = append(obj, AnyField{Key: k, Value: v})
	}
	return obj, nil
}

// skipAny checks one lib0 "any" value without building it, iteratively so
// that no input can exhaust the stack.
func (d *Decoder) skipAny(lim *Limits) error {
	// open holds, per open array or object, how many values are still to
	// come; an object's values are each preceded by a key.
	type level struct {
		left   int
		object bool
	}
	var open []level
	for {
		if len(open) > 0 {
			top := &open[len(open)-1]
			top.left--
			if top.object {
				if _, err := d.readUTF8(lim.MaxStringBytes); err != nil {
					return err
				}
			}
		}
		container, n, object, err := d.skipAnyScalar(lim)
		if err != nil {
			return err
		}
		if container {
			if len(open) >= lim.MaxAnyDepth {
				return tooLarge("MaxAnyDepth", lim.MaxAnyDepth)
			}
			open = append(open, level{left: n, object: object})
		}
		for len(open) > 0 && open[len(open)-1].left == 0 {
			open = open[:len(open)-1]
		}
		if len(open) == 0 {
			return nil
		}
	}
}

// skipAnyScalar reads one tag and, for a scalar, its value. For an array or
// object it reads only the element count.
func (d *Decoder) skipAnyScalar(lim *Limits) (container bool, count int, object bool, err error) {
	tag, err := d.ReadUint8()
	if err != nil {
		return false, 0, false, err
	}
	switch tag {
	case anyUndefined, anyNull, anyTrue, anyFalse:
	case anyInteger:
		_, _, err = d.readVarIntSign()
	case anyFloat32:
		_, err = d.ReadBytes(4)
	case anyFloat64, anyBigInt:
		_, err = d.ReadBytes(8)
	case anyString:
		_, err = d.readUTF8(lim.MaxStringBytes)
	case anyBytes:
		_, err = d.readVarBytes(lim.MaxStringBytes)
	case anyArray, anyObject:
		count, err = d.readLen() // every element takes at least one byte
		return err == nil, count, tag == anyObject, err
	default:
		d.pos--
		err = d.fail("unknown any type " + strconv.Itoa(int(tag)))
	}
	return false, 0, false, err
}

// WriteAny writes v as a lib0 "any" value, choosing number encodings as lib0
// does: integers up to 2^31-1 in magnitude as varInt, then float32 when
// exact, else float64. It accepts what ReadAny returns, Go integer and float
// types, map[string]any (keys in JavaScript order: array indices first, the
// rest sorted) and []any; anything else is an error.
func (e *Encoder) WriteAny(v any) error {
	switch x := v.(type) {
	case nil:
		e.WriteUint8(anyNull)
	case Undefined:
		e.WriteUint8(anyUndefined)
	case bool:
		if x {
			e.WriteUint8(anyTrue)
		} else {
			e.WriteUint8(anyFalse)
		}
	case string:
		e.WriteUint8(anyString)
		e.WriteVarString(x)
	case []byte:
		e.WriteUint8(anyBytes)
		e.WriteVarUint8Array(x)
	case BigInt:
		e.WriteUint8(anyBigInt)
		e.buf = append(e.buf, byte(x>>56), byte(x>>48), byte(x>>40), byte(x>>32), byte(x>>24), byte(x>>16), byte(x>>8), byte(x))
	case []any:
		e.WriteUint8(anyArray)
		e.WriteVarUint(uint64(len(x)))
		for _, el := range x {
			if err := e.WriteAny(el); err != nil {
				return err
			}
		}
	case AnyObject:
		return e.writeAnyObject(x)
	case map[string]any:
		return e.writeAnyObject(jsObject(x))
	default:
		f, ok := toFloat(v)
		if !ok {
			return fmt.Errorf("yjs: cannot encode %T as lib0 any", v)
		}
		e.writeAnyNumber(f)
	}
	return nil
}

func (e *Encoder) writeAnyObject(obj AnyObject) error {
	e.WriteUint8(anyObject)
	e.WriteVarUint(uint64(len(obj)))
	for _, f := range obj {
		e.WriteVarString(f.Key)
		if err := e.WriteAny(f.Value); err != nil {
			return err
		}
	}
	return nil
}

// writeAnyNumber follows lib0's writeAny for JavaScript numbers.
func (e *Encoder) writeAnyNumber(f float64) {
	switch {
	case f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32:
		e.WriteUint8(anyInteger)
		e.writeVarIntSign(uint64(math.Abs(f)), math.Signbit(f))
	case float64(float32(f)) == f:
		e.WriteUint8(anyFloat32)
		e.writeFloat32(float32(f))
	default:
		e.WriteUint8(anyFloat64)
		e.writeFloat64(f)
	}
}

// toFloat converts Go numbers to the JavaScript number they stand for.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// jsObject orders a Go map's keys as JavaScript orders an object's own
// keys: array indices ascending, then the others (sorted here, since a Go
// map has no insertion order).
func jsObject(m map[string]any) AnyObject {
	obj := make(AnyObject, 0, len(m))
	for k, v := range m {
		obj = append(obj, AnyField{Key: k, Value: v})
	}
	slices.SortFunc(obj, func(a, b AnyField) int {
		ai, aIdx := arrayIndex(a.Key)
		bi, bIdx := arrayIndex(b.Key)
		switch {
		case aIdx && bIdx:
			return int(ai) - int(bi)
		case aIdx:
			return -1
		case bIdx:
			return 1
		}
		if a.Key < b.Key {
			return -1
		}
		return 1
	})
	return obj
}

// arrayIndex reports whether k is a canonical JavaScript array index.
func arrayIndex(k string) (int64, bool) {
	n, err := strconv.ParseUint(k, 10, 32)
	if err != nil || n == math.MaxUint32 || strconv.FormatUint(n, 10) != k {
		return 0, false
	}
	return int64(n), true
}
