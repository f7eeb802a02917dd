package filter

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/recordroom/recordroom/protocol"
)

// Doc is what filters and orders see of a record.
type Doc struct {
	ID, UserID           string
	CreatedAt, UpdatedAt time.Time
	Data                 map[string]any // decoded with json.Decoder.UseNumber(): numbers are json.Number
}

// Where is a parsed where-object. It is immutable: Match and SQL may be called concurrently.
type Where struct {
	root node
}

// node is one condition of a where-object, with its two faces that must agree.
type node interface {
	match(d Doc) bool
	sql(c *compiler) string
}

type (
	andNode []node
	orNode  []node
	notNode struct{ n node }
)

// op is a field operator.
type op uint8

const (
	opEq op = iota
	opNe
	opGt
	opGte
	opLt
	opLte
	opIn
	opNin
	opExists
	opContains
	opStartsWith
)

var operators = map[string]op{
	"$eq": opEq, "$ne": opNe, "$gt": opGt, "$gte": opGte, "$lt": opLt, "$lte": opLte,
	"$in": opIn, "$nin": opNin, "$exists": opExists, "$contains": opContains, "$startsWith": opStartsWith,
}

const operatorList = "$eq $ne $gt $gte $lt $lte $in $nin $exists $contains $startsWith"

// cond applies one operator to one field.
type cond struct {
	f    field
	op   op
	val  value   // the operand, except for $in and $nin
	vals []value // the operands of $in and $nin
}

// value is an operand: the decoded JSON value and its JSON text for SQL parameters.
type value struct {
	v    any
	json string
}

func newValue(n *jnode) value {
	v := n.toGo()
	return value{v: v, json: encodeJSON(v)}
}

// operand reads an operand of f. A timestamp compared with createdAt or updatedAt is rewritten in
// the contract's layout (UTC, microseconds), because the fields compare as records show them, as
// strings of that fixed width: "2026-11-27T10:00:00.003Z" and "…00.003000Z" are the same instant.
// Any other string ("2026-11", a date) compares as written.
func (f field) operand(n *jnode) value {
	val := newValue(n)
	if s, ok := val.v.(string); ok && (f.kind == fieldCreatedAt || f.kind == fieldUpdatedAt) {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			val.v = protocol.FormatTime(t)
			val.json = encodeJSON(val.v)
		}
	}
	return val
}

// encodeJSON renders a decoded value; it cannot fail for the values jnode.toGo makes.
func encodeJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// Parse parses a where-object (raw JSON). nil, empty input, `null` and `{}` match everything.
func Parse(raw []byte) (*Where, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return &Where{root: andNode{}}, nil
	}
	at := rootPath("where")
	j, err := decodeJSON(raw, at)
	if err != nil {
		return nil, err
	}
	switch j.kind {
	case jNull:
		return &Where{root: andNode{}}, nil
	case jObject:
	default:
		return nil, errorf(at, "must be a JSON object, not %s", j.kind)
	}
	var p parser
	root, err := p.where(j, at, 0)
	if err != nil {
		return nil, err
	}
	return &Where{root: root}, nil
}

// parser counts conditions across one where-object.
type parser struct {
	conds int
}

func (p *parser) count(at *path) error {
	p.conds++
	if p.conds > MaxConditions {
		return errorf(at, "more than %d conditions", MaxConditions)
	}
	return nil
}

// where parses an object of field conditions and logical keys, all of which must hold.
func (p *parser) where(j *jnode, at *path, depth int) (node, error) {
	all := make(andNode, 0, len(j.keys))
	for i, k := range j.keys {
		var (
			n   node
			err error
		)
		kp := at.field(k)
		switch {
		case k == "$and" || k == "$or":
			n, err = p.logical(k, j.elems[i], kp, depth+1)
		case k == "$not":
			n, err = p.not(j.elems[i], kp, depth+1)
		case strings.HasPrefix(k, "$"):
			err = errorf(kp, "unknown operator %s: a where-object's keys are field names, $and, $or and $not", k)
		default:
			n, err = p.field(k, j.elems[i], kp)
		}
		if err != nil {
			return nil, err
		}
		all = append(all, n)
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all, nil
}

func (p *parser) enter(at *path, depth int) error {
	if depth > MaxLogicalDepth {
		return errorf(at, "$and, $or and $not nested deeper than %d levels", MaxLogicalDepth)
	}
	return p.count(at)
}

func (p *parser) logical(k string, j *jnode, at *path, depth int) (node, error) {
	if err := p.enter(at, depth); err != nil {
		return nil, err
	}
	if j.kind != jArray || len(j.elems) == 0 {
		return nil, errorf(at, "must be a non-empty array of where-objects")
	}
	subs := make([]node, len(j.elems))
	for i, e := range j.elems {
		ep := at.elem(i)
		if e.kind != jObject {
			return nil, errorf(ep, "must be a where-object, not %s", e.kind)
		}
		n, err := p.where(e, ep, depth)
		if err != nil {
			return nil, err
		}
		subs[i] = n
	}
	if k == "$and" {
		return andNode(subs), nil
	}
	return orNode(subs), nil
}

func (p *parser) not(j *jnode, at *path, depth int) (node, error) {
	if err := p.enter(at, depth); err != nil {
		return nil, err
	}
	if j.kind != jObject {
		return nil, errorf(at, "must be a where-object, not %s", j.kind)
	}
	n, err := p.where(j, at, depth)
	if err != nil {
		return nil, err
	}
	return notNode{n}, nil
}

// field parses the condition on one field: a plain value (equality) or an object of operators.
func (p *parser) field(k string, j *jnode, at *path) (node, error) {
	f, err := parseField(k, at)
	if err != nil {
		return nil, err
	}
	if !isOperatorObject(j) {
		if err := p.count(at); err != nil {
			return nil, err
		}
		return cond{f: f, op: opEq, val: f.operand(j)}, nil
	}
	all := make(andNode, 0, len(j.keys))
	for i, name := range j.keys {
		if err := p.count(at.field(name)); err != nil {
			return nil, err
		}
		c, err := parseOperator(f, name, j.elems[i], at.field(name))
		if err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all, nil
}

// isOperatorObject reports whether j is an object with a $-key; such an object must hold only
// operators (parseOperator refuses a plain key in it).
func isOperatorObject(j *jnode) bool {
	if j.kind != jObject {
		return false
	}
	for _, k := range j.keys {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

func parseOperator(f field, name string, j *jnode, at *path) (node, error) {
	o, ok := operators[name]
	switch {
	case !strings.HasPrefix(name, "$"):
		return nil, errorf(at, "plain key in an object of operators: use {\"$eq\": {...}} to compare with an object that has $-keys")
	case name == "$and" || name == "$or" || name == "$not":
		return nil, errorf(at, "%s belongs at where level, e.g. {\"%s\": ...} around the field's condition", name, name)
	case !ok:
		return nil, errorf(at, "unknown operator %s (known: %s)", name, operatorList)
	}
	c := cond{f: f, op: o}
	switch o {
	case opGt, opGte, opLt, opLte:
		if j.kind != jNumber && j.kind != jString {
			return nil, errorf(at, "operand must be a number or a string, not %s", j.kind)
		}
	case opExists:
		if j.kind != jBool {
			return nil, errorf(at, "operand must be true or false, not %s", j.kind)
		}
	case opStartsWith:
		if j.kind != jString {
			return nil, errorf(at, "operand must be a string, not %s", j.kind)
		}
		c.val = newValue(j) // a prefix, never a timestamp to rewrite
		return c, nil
	case opIn, opNin:
		vals, err := parseList(f, j, at)
		if err != nil {
			return nil, err
		}
		c.vals = vals
		return c, nil
	}
	c.val = f.operand(j)
	return c, nil
}

func parseList(f field, j *jnode, at *path) ([]value, error) {
	if j.kind != jArray || len(j.elems) == 0 {
		return nil, errorf(at, "operand must be a non-empty array")
	}
	if len(j.elems) > MaxInValues {
		return nil, errorf(at, "more than %d values", MaxInValues)
	}
	vals := make([]value, len(j.elems))
	for i, e := range j.elems {
		vals[i] = f.operand(e)
	}
	return vals, nil
}
