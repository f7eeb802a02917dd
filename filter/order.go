package filter

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Order is a parsed orderBy: up to MaxOrderKeys keys, then id ascending to break ties (unless id
// is one of the keys). The zero Order is the default, createdAt ascending.
type Order struct {
	keys []orderKey // as parsed, then the id tiebreak; nil for the default
}

type orderKey struct {
	f    field
	desc bool
}

var (
	idKey       = orderKey{f: field{kind: fieldID, name: "id"}}
	defaultKeys = []orderKey{{f: field{kind: fieldCreatedAt, name: "createdAt"}}, idKey}
)

// ParseOrder parses orderBy: [{"field":"priority","dir":"desc"}], at most 3 keys, dir asc|desc
// (default asc); fields as in where (data paths or id, userId, createdAt, updatedAt).
// nil, empty, `null` and `[]` → createdAt asc. Ties break by id asc.
func ParseOrder(raw []byte) (Order, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Order{}, nil
	}
	at := rootPath("orderBy")
	j, err := decodeJSON(raw, at)
	if err != nil {
		return Order{}, err
	}
	switch {
	case j.kind == jNull:
		return Order{}, nil
	case j.kind != jArray:
		return Order{}, errorf(at, "must be an array of {\"field\": ..., \"dir\": \"asc\"|\"desc\"}, not %s", j.kind)
	case len(j.elems) > MaxOrderKeys:
		return Order{}, errorf(at, "more than %d keys", MaxOrderKeys)
	}
	var o Order
	for i, e := range j.elems {
		k, err := parseOrderKey(e, at.elem(i))
		if err != nil {
			return Order{}, err
		}
		for _, prev := range o.keys {
			if prev.f.name == k.f.name {
				return Order{}, errorf(at.elem(i).field("field"), "duplicate field %q", k.f.name)
			}
		}
		o.keys = append(o.keys, k)
	}
	if len(o.keys) > 0 && !slices.ContainsFunc(o.keys, func(k orderKey) bool { return k.f.kind == fieldID }) {
		o.keys = append(o.keys, idKey)
	}
	return o, nil
}

func parseOrderKey(j *jnode, at *path) (orderKey, error) {
	if j.kind != jObject {
		return orderKey{}, errorf(at, "must be an object {\"field\": ..., \"dir\": ...}, not %s", j.kind)
	}
	var (
		k        orderKey
		hasField bool
	)
	for i, name := range j.keys {
		v, kp := j.elems[i], at.field(name)
		switch name {
		case "field":
			if v.kind != jString {
				return orderKey{}, errorf(kp, "must be a string, not %s", v.kind)
			}
			f, err := parseField(v.str, kp)
			if err != nil {
				return orderKey{}, err
			}
			k.f, hasField = f, true
		case "dir":
			if v.kind != jString || (v.str != "asc" && v.str != "desc") {
				return orderKey{}, errorf(kp, "must be \"asc\" or \"desc\"")
			}
			k.desc = v.str == "desc"
		default:
			return orderKey{}, errorf(kp, "unknown key (an orderBy key has \"field\" and \"dir\")")
		}
	}
	if !hasField {
		return orderKey{}, errorf(at.field("field"), "missing")
	}
	return k, nil
}

// effective is the keys in force, the id tiebreak included.
func (o Order) effective() []orderKey {
	if len(o.keys) == 0 {
		return defaultKeys
	}
	return o.keys
}

// SQL returns the ORDER BY list (without the words ORDER BY). A data path cannot be a parameter
// here, so its keys are SQL string literals: plain ones as they are, any other as hex that SQL
// decodes, so that no character of user input can end a literal.
func (o Order) SQL() string {
	var parts []string
	for _, k := range o.effective() {
		dir := " ASC"
		if k.desc {
			dir = " DESC"
		}
		for _, e := range k.sortExprs() {
			parts = append(parts, e+dir)
		}
	}
	return strings.Join(parts, ", ")
}

// sortExprs are the SQL expressions a key sorts by, in turn. A data value sorts by its type rank,
// then within its type; each type's expression is NULL for the other types, which the rank has
// already told apart.
func (k orderKey) sortExprs() []string {
	switch k.f.kind {
	case fieldData:
		v := literalValue(k.f.path)
		return []string{rankSQL(v), numberSQL(v), stringSQL(v), booleanSQL(v)}
	case fieldID, fieldUserID:
		return []string{k.f.column() + ` COLLATE "C"`}
	}
	return []string{k.f.column()}
}

func rankSQL(v string) string {
	return "(CASE jsonb_typeof(" + v + ") WHEN 'null' THEN 1 WHEN 'number' THEN 2 WHEN 'string' THEN 3" +
		" WHEN 'boolean' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 6 ELSE 0 END)"
}

func numberSQL(v string) string {
	return "(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::numeric END)"
}

func stringSQL(v string) string {
	return "(CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN " + v + ` #>> '{}' END) COLLATE "C"`
}

func booleanSQL(v string) string {
	return "(CASE WHEN jsonb_typeof(" + v + ") = 'boolean' THEN (" + v + ")::boolean END)"
}

// literalValue is the SQL of a data path's value with its keys as literals, walked with -> so a
// key is never read as an array index.
func literalValue(segs []string) string {
	var b strings.Builder
	b.WriteString("(data")
	for _, s := range segs {
		b.WriteString(" -> " + textLiteral(s))
	}
	b.WriteString(")")
	return b.String()
}

// textLiteral renders s as SQL text: 'abc' when s holds only ASCII letters, digits, _ and -,
// else convert_from(decode('<hex>', 'hex'), 'UTF8'), which holds nothing but hex digits whatever
// standard_conforming_strings says.
func textLiteral(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "convert_from(decode('" + hex.EncodeToString([]byte(s)) + "', 'hex'), 'UTF8')"
		}
	}
	return "'" + s + "'::text"
}

// Compare orders a and b exactly as SQL() does: negative when a comes first.
func (o Order) Compare(a, b Doc) int {
	for _, k := range o.effective() {
		c := k.compare(a, b)
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func (k orderKey) compare(a, b Doc) int {
	switch k.f.kind {
	case fieldID:
		return strings.Compare(a.ID, b.ID)
	case fieldUserID:
		return strings.Compare(a.UserID, b.UserID)
	case fieldCreatedAt:
		return compareTime(a.CreatedAt, b.CreatedAt)
	case fieldUpdatedAt:
		return compareTime(a.UpdatedAt, b.UpdatedAt)
	}
	av, aok := k.f.get(a)
	bv, bok := k.f.get(b)
	return compareValues(av, aok, bv, bok)
}

// compareTime compares at the column's precision, microseconds.
func compareTime(a, b time.Time) int {
	return a.Truncate(time.Microsecond).Compare(b.Truncate(time.Microsecond))
}

// compareValues is the type-aware order of data values: by rank, then numbers by value, strings
// byte-wise, false before true; arrays and objects tie with their kind.
func compareValues(a any, aok bool, b any, bok bool) int {
	ra, rb := rankOf(a, aok), rankOf(b, bok)
	if ra != rb {
		return cmpInt(ra, rb)
	}
	switch ra {
	case rankNumber:
		da, _ := toDecimal(a)
		db, _ := toDecimal(b)
		return da.cmp(db)
	case rankString:
		return strings.Compare(a.(string), b.(string))
	case rankBool:
		return cmpBool(a.(bool), b.(bool))
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
