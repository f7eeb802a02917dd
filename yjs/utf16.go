package yjs

import "unicode/utf8"

// yjs measures strings in UTF-16 code units (JavaScript's String.length), so
// clocks advance by that much per ContentString. These helpers work on the
// UTF-8 bytes that updates carry.

// utf16Len returns the UTF-16 length of b, and false if b is not UTF-8.
func utf16Len(b []byte) (uint64, bool) {
	var n uint64
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return 0, false
		}
		n++
		if r > 0xffff {
			n++ // a surrogate pair
		}
		i += size
	}
	return n, true
}

// replacementChar is U+FFFD in UTF-8.
var replacementChar = []byte{0xef, 0xbf, 0xbd}

// dropUTF16 returns valid UTF-8 b without its first k UTF-16 code units.
// When k falls between the two halves of a surrogate pair, the remaining
// half becomes U+FFFD: yjs does the same (its ContentString.splice writes
// U+FFFD, and lib0's UTF-8 encoder turns a lone surrogate into U+FFFD).
func dropUTF16(b []byte, k uint64) []byte {
	i := 0
	for k > 0 && i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r <= 0xffff {
			k--
			continue
		}
		if k == 1 { // inside the pair
			out := make([]byte, 0, len(replacementChar)+len(b)-i)
			return append(append(out, replacementChar...), b[i:]...)
		}
		k -= 2
	}
	return b[i:]
}
