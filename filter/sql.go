package filter

import (
	"strconv"
	"strings"
)

// Params collects SQL arguments; Add returns the placeholder ("$3") for the next one.
// Callers may pre-fill it (room_id, collection) before passing it in: numbering continues from len.
type Params []any

// Add appends v and returns its placeholder.
func (p *Params) Add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// SQL returns a boolean SQL expression over the columns data (jsonb), id, user_id, created_at,
// updated_at (unqualified), with every value passed as a parameter added to p. Never splice a
// user string into the SQL text: field paths are parameters too (data #> $n::text[]).
//
// Every condition compiles to an expression that is never NULL, so $not means exactly what it
// means to Match. Equality, $in and $contains carry a `data @> $n::jsonb` conjunct that the GIN
// index records_data_idx (jsonb_path_ops) can answer; an exact recheck follows wherever
// containment alone would match more.
func (w *Where) SQL(p *Params) string {
	if w == nil || w.root == nil {
		return "true"
	}
	return w.root.sql(&compiler{p: p, values: map[string]string{}})
}

// compiler emits the SQL of one where-object.
type compiler struct {
	p *Params
	// values caches the SQL of a data path's value, so a path used twice is one parameter.
	values map[string]string
}

func (n andNode) sql(c *compiler) string { return joinSQL(c, n, " AND ", "true") }

func (n orNode) sql(c *compiler) string { return joinSQL(c, n, " OR ", "false") }

func (n notNode) sql(c *compiler) string { return "(NOT " + n.n.sql(c) + ")" }

func joinSQL(c *compiler, nodes []node, sep, empty string) string {
	switch len(nodes) {
	case 0:
		return empty
	case 1:
		return nodes[0].sql(c)
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = n.sql(c)
	}
	return "(" + strings.Join(parts, sep) + ")"
}

var comparisons = map[op]string{opGt: ">", opGte: ">=", opLt: "<", opLte: "<="}

func (n cond) sql(c *compiler) string {
	if n.f.kind != fieldData {
		return c.reserved(n)
	}
	return c.data(n)
}

// data compiles a condition on a data path. v is the path's jsonb value, SQL NULL when missing
// (a JSON null is the jsonb 'null', not SQL NULL).
func (c *compiler) data(n cond) string {
	if n.op == opContains {
		return c.contains(n)
	}
	v := c.value(n.f.path)
	switch n.op {
	case opEq:
		return "(data @> " + c.jsonb(containment(n.f.path, n.val.json)) + " AND " + c.equal(v, n.val) + ")"
	case opNe:
		return "(NOT " + c.equal(v, n.val) + ")"
	case opGt, opGte, opLt, opLte:
		return c.compare(v, n)
	case opIn, opNin:
		return c.in(v, n)
	case opExists:
		if n.val.v.(bool) {
			return "(" + v + " IS NOT NULL)"
		}
		return "(" + v + " IS NULL)"
	case opStartsWith:
		return "(CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN starts_with((" + v + " #>> '{}') COLLATE \"C\", " +
			c.p.Add(n.val.v) + "::text) ELSE false END)"
	}
	return "false"
}

// in is equality with any of the values; $in also carries the containment of any of them,
// which a bitmap scan of the GIN index answers one array element at a time.
func (c *compiler) in(v string, n cond) string {
	docs, vals := make([]string, len(n.vals)), make([]string, len(n.vals))
	for i, x := range n.vals {
		docs[i], vals[i] = containment(n.f.path, x.json), x.json
	}
	if n.op == opNin {
		return "(NOT COALESCE(" + v + " = ANY(" + c.p.Add(vals) + "::jsonb[]), false))"
	}
	return "(data @> ANY(" + c.p.Add(docs) + "::jsonb[]) AND COALESCE(" + v + " = ANY(" + c.p.Add(vals) + "::jsonb[]), false))"
}

// equal is jsonb equality (numbers by value, objects whatever their key order), false when the
// field is missing.
func (c *compiler) equal(v string, x value) string {
	return "COALESCE(" + v + " = " + c.jsonb(x.json) + ", false)"
}

// compare orders numbers as numeric and strings byte-wise; CASE, unlike AND, guarantees that
// the cast only meets values of the right type.
func (c *compiler) compare(v string, n cond) string {
	cmp := comparisons[n.op]
	if s, ok := n.val.v.(string); ok {
		return "(CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN (" + v + " #>> '{}') COLLATE \"C\" " + cmp + " " +
			c.p.Add(s) + "::text ELSE false END)"
	}
	return "(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::numeric " + cmp + " " +
		c.p.Add(n.val.json) + "::numeric ELSE false END)"
}

// contains: containment of {"path":[x]} is exact for a scalar x (an array contains a scalar only
// as a direct element). For an array or object x it is recursive ([[1,2]] @> [[1]]), so an
// exact element check follows; the containment stays in front for the index.
func (c *compiler) contains(n cond) string {
	doc := "data @> " + c.jsonb(containment(n.f.path, "["+n.val.json+"]"))
	switch n.val.v.(type) {
	case []any, map[string]any:
		v := c.value(n.f.path)
		return "(" + doc + " AND EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + v +
			") = 'array' THEN " + v + " END) AS e(elem) WHERE e.elem = " + c.jsonb(n.val.json) + "))"
	}
	return "(" + doc + ")"
}

// reserved compiles a condition on id, userId, createdAt or updatedAt: strings that always
// exist, so an operand of another type never equals them and never orders against them.
func (c *compiler) reserved(n cond) string {
	e := n.f.textSQL()
	s, isString := n.val.v.(string)
	switch n.op {
	case opEq, opNe:
		if !isString {
			return boolSQL(n.op == opNe)
		}
		if n.op == opEq {
			return "(" + e + " = " + c.p.Add(s) + "::text)"
		}
		return "(" + e + " <> " + c.p.Add(s) + "::text)"
	case opGt, opGte, opLt, opLte:
		if !isString {
			return "false"
		}
		return "(" + e + " COLLATE \"C\" " + comparisons[n.op] + " " + c.p.Add(s) + "::text)"
	case opIn, opNin:
		return c.reservedIn(e, n)
	case opExists:
		return boolSQL(n.val.v.(bool))
	case opStartsWith:
		return "starts_with(" + e + " COLLATE \"C\", " + c.p.Add(s) + "::text)"
	}
	return "false" // $contains: a string is not an array
}

func (c *compiler) reservedIn(e string, n cond) string {
	var strs []string
	for _, x := range n.vals {
		if s, ok := x.v.(string); ok {
			strs = append(strs, s)
		}
	}
	switch {
	case len(strs) == 0:
		return boolSQL(n.op == opNin)
	case n.op == opIn:
		return "(" + e + " = ANY(" + c.p.Add(strs) + "::text[]))"
	}
	return "(" + e + " <> ALL(" + c.p.Add(strs) + "::text[]))"
}

func boolSQL(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// value is the SQL of a data path's jsonb value. #> reads the whole path from one text[]
// parameter where it only meets object keys; otherwise -> walks it one key at a time, since ->
// with a text key yields NULL on an array rather than reading an element.
func (c *compiler) value(segs []string) string {
	key := strings.Join(segs, "\x00") // keys cannot hold NUL
	if v, ok := c.values[key]; ok {
		return v
	}
	var v string
	if hashArrowSafe(segs) {
		v = "(data #> " + c.p.Add(append([]string(nil), segs...)) + "::text[])"
	} else {
		var b strings.Builder
		b.WriteString("(data")
		for _, s := range segs {
			b.WriteString(" -> " + c.p.Add(s) + "::text")
		}
		b.WriteString(")")
		v = b.String()
	}
	c.values[key] = v
	return v
}

// jsonb adds a JSON text parameter; pgx sends a string to a jsonb parameter as is.
func (c *compiler) jsonb(text string) string { return c.p.Add(text) + "::jsonb" }

// containment renders {"a":{"b":leaf}} for the path a.b.
func containment(segs []string, leaf string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString("{" + encodeJSON(s) + ":")
	}
	b.WriteString(leaf)
	b.WriteString(strings.Repeat("}", len(segs)))
	return b.String()
}
