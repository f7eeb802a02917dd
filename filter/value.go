package filter

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// decimal is an exact JSON number: 0.digits × 10^exp, where digits is hi followed by lo (two
// pieces of the number's text, so parsing allocates nothing), without leading or trailing zeros
// (both empty for zero). Comparing two takes time linear in their text, never big-number
// arithmetic, so a hostile 1e999999999 costs nothing.
type decimal struct {
	neg    bool
	hi, lo string
	exp    int
}

// numberParts splits a JSON number into its sign, integer digits, fraction digits and exponent.
// ok is false when s is not a JSON number or its exponent does not fit in 9 digits.
func numberParts(s string) (neg bool, intPart, frac string, exp int, ok bool) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	i := digitRun(s)
	if i == 0 || (i > 1 && s[0] == '0') {
		return false, "", "", 0, false
	}
	intPart, s = s[:i], s[i:]
	if strings.HasPrefix(s, ".") {
		j := digitRun(s[1:])
		if j == 0 {
			return false, "", "", 0, false
		}
		frac, s = s[1:1+j], s[1+j:]
	}
	if s == "" {
		return neg, intPart, frac, 0, true
	}
	if s[0] != 'e' && s[0] != 'E' {
		return false, "", "", 0, false
	}
	s = s[1:]
	eneg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		eneg, s = s[0] == '-', s[1:]
	}
	if n := digitRun(s); n == 0 || n != len(s) || n > 9 {
		return false, "", "", 0, false
	}
	exp, _ = strconv.Atoi(s)
	if eneg {
		exp = -exp
	}
	return neg, intPart, frac, exp, true
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func parseDecimal(s string) (decimal, bool) {
	neg, intPart, frac, exp, ok := numberParts(s)
	if !ok {
		return decimal{}, false
	}
	d := decimal{neg: neg, hi: strings.TrimLeft(intPart, "0"), lo: frac}
	d.exp = len(d.hi) + exp
	if d.hi == "" {
		d.lo = strings.TrimLeft(frac, "0")
		d.exp -= len(frac) - len(d.lo)
	}
	if d.lo = strings.TrimRight(d.lo, "0"); d.lo == "" {
		d.hi = strings.TrimRight(d.hi, "0")
	}
	return d, true
}

func (a decimal) isZero() bool { return a.hi == "" && a.lo == "" }

func (a decimal) digit(i int) byte {
	if i < len(a.hi) {
		return a.hi[i]
	}
	return a.lo[i-len(a.hi)]
}

func (a decimal) cmp(b decimal) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb || sa == 0 {
		return cmpInt(sa, sb)
	}
	c := cmpInt(a.exp, b.exp)
	if c == 0 {
		c = a.cmpDigits(b)
	}
	if a.neg {
		return -c
	}
	return c
}

// cmpDigits compares digit strings of equal exponent; without trailing zeros, a prefix is the
// smaller.
func (a decimal) cmpDigits(b decimal) int {
	na, nb := len(a.hi)+len(a.lo), len(b.hi)+len(b.lo)
	for i := 0; i < min(na, nb); i++ {
		if x, y := a.digit(i), b.digit(i); x != y {
			return cmpInt(int(x), int(y))
		}
	}
	return cmpInt(na, nb)
}

func (a decimal) sign() int {
	switch {
	case a.isZero():
		return 0
	case a.neg:
		return -1
	}
	return 1
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Postgres numeric limits (numeric.c): digits before the decimal point and the display scale.
const (
	pgNumericMaxIntDigits = 131072
	pgNumericMaxScale     = 16383
)

// checkNumber returns why Postgres' numeric (and so jsonb) would refuse the JSON number s, or "".
func checkNumber(s string) string {
	_, _, frac, exp, ok := numberParts(s)
	if !ok {
		return "number out of range"
	}
	if scale := len(frac) - exp; scale > pgNumericMaxScale {
		return "number has more than 16383 digits after the decimal point"
	}
	if d, _ := parseDecimal(s); !d.isZero() && d.exp > pgNumericMaxIntDigits {
		return "number has more than 131072 digits before the decimal point"
	}
	return ""
}

// toDecimal reads a number of a decoded document: json.Number, or the float64 and integers of
// data decoded without UseNumber.
func toDecimal(v any) (decimal, bool) {
	switch x := v.(type) {
	case json.Number:
		return parseDecimal(string(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return decimal{}, false
		}
		return parseDecimal(strconv.FormatFloat(x, 'g', -1, 64))
	case int:
		return parseDecimal(strconv.Itoa(x))
	case int64:
		return parseDecimal(strconv.FormatInt(x, 10))
	}
	return decimal{}, false
}

// Type ranks, the order of data values in an orderBy (ascending): a missing field first, then
// null, numbers, strings, booleans, arrays, objects.
const (
	rankMissing = iota
	rankNull
	rankNumber
	rankString
	rankBool
	rankArray
	rankObject
)

func rankOf(v any, present bool) int {
	if !present {
		return rankMissing
	}
	switch v.(type) {
	case nil:
		return rankNull
	case string:
		return rankString
	case bool:
		return rankBool
	case []any:
		return rankArray
	case map[string]any:
		return rankObject
	}
	if _, ok := toDecimal(v); ok {
		return rankNumber
	}
	return rankObject // not a decoded JSON value: sorted with the values it cannot be compared to
}

// Equal is the where-language's equality of two decoded JSON values (numbers as json.Number):
// jsonb equality, numbers by value, objects whatever their key order, arrays in order.
func Equal(a, b any) bool { return jsonEqual(a, b) }

// jsonEqual is jsonb equality: numbers by value, objects whatever their key order, arrays in order.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && arraysEqual(x, y)
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && objectsEqual(x, y)
	}
	da, ok := toDecimal(a)
	if !ok {
		return false
	}
	db, ok := toDecimal(b)
	return ok && da.cmp(db) == 0
}

func arraysEqual(x, y []any) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !jsonEqual(x[i], y[i]) {
			return false
		}
	}
	return true
}

func objectsEqual(x, y map[string]any) bool {
	if len(x) != len(y) {
		return false
	}
	for k, xv := range x {
		yv, ok := y[k]
		if !ok || !jsonEqual(xv, yv) {
			return false
		}
	}
	return true
}
