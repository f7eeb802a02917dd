package filter

import "strings"

// Match reports whether d satisfies the where-object. A nil *Where matches everything.
func (w *Where) Match(d Doc) bool {
	if w == nil || w.root == nil {
		return true
	}
	return w.root.match(d)
}

func (n andNode) match(d Doc) bool {
	for _, c := range n {
		if !c.match(d) {
			return false
		}
	}
	return true
}

func (n orNode) match(d Doc) bool {
	for _, c := range n {
		if c.match(d) {
			return true
		}
	}
	return false
}

func (n notNode) match(d Doc) bool { return !n.n.match(d) }

func (c cond) match(d Doc) bool {
	v, present := c.f.get(d)
	switch c.op {
	case opEq:
		return present && jsonEqual(v, c.val.v)
	case opNe:
		return !present || !jsonEqual(v, c.val.v)
	case opGt, opGte, opLt, opLte:
		return present && compareOp(c.op, v, c.val.v)
	case opIn:
		return present && inList(v, c.vals)
	case opNin:
		return !present || !inList(v, c.vals)
	case opExists:
		return present == c.val.v.(bool)
	case opContains:
		return present && arrayHolds(v, c.val.v)
	case opStartsWith:
		s, ok := v.(string)
		return present && ok && strings.HasPrefix(s, c.val.v.(string))
	}
	return false
}

// compareOp compares numbers with numbers and strings with strings (byte order); any other pair
// does not match.
func compareOp(o op, v, operand any) bool {
	var c int
	switch x := operand.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return false
		}
		c = strings.Compare(s, x)
	default:
		dv, ok := toDecimal(v)
		if !ok {
			return false
		}
		dx, _ := toDecimal(x)
		c = dv.cmp(dx)
	}
	switch o {
	case opGt:
		return c > 0
	case opGte:
		return c >= 0
	case opLt:
		return c < 0
	}
	return c <= 0
}

func inList(v any, vals []value) bool {
	for _, x := range vals {
		if jsonEqual(v, x.v) {
			return true
		}
	}
	return false
}

func arrayHolds(v, x any) bool {
	arr, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range arr {
		if jsonEqual(e, x) {
			return true
		}
	}
	return false
}
