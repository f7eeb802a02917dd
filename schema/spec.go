package schema

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp/syntax"
	"strconv"
	"strings"
)

// Keywords of JSON Schema 2020-12 a field spec may use, by what their value is. Everything else
// is refused, so that a typo (`maxLenght`) or another draft's keyword (`additionalItems`,
// `nullable`) is reported instead of silently doing nothing; `x-` keywords are free for tools.
var (
	schemaKeywords = set("items", "contains", "additionalProperties", "propertyNames", "if", "then",
		"else", "not", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
	schemaListKeywords = set("allOf", "anyOf", "oneOf", "prefixItems")
	schemaMapKeywords  = set("properties", "patternProperties", "dependentSchemas", "$defs")
	valueKeywords      = set("type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum",
		"minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
		"uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
		"dependentRequired", "title", "description", "default", "deprecated", "readOnly",
		"writeOnly", "examples", "format", "contentEncoding", "contentMediaType", "$comment")
	// References and resource identifiers: a field spec is self-contained. Refusing $ref keeps
	// every load off the network and the file system, and keeps validation linear in the size of
	// the spec (references can reuse one subschema exponentially many times).
	refKeywords = set("$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor",
		"$recursiveAnchor", "$schema", "$vocabulary")
	// The library converts these to int without a range check.
	intKeywords = set("maxLength", "minLength", "maxItems", "minItems", "maxContains",
		"minContains", "maxProperties", "minProperties")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Work limits. Compiling costs about 25 µs per subschema, and the library's compile queue is
// quadratic in the subschemas of one collection (10000 in one collection: a second and more);
// regular expressions cost about 2 µs per RE2 instruction. These bounds keep Parse of any 1 MiB
// document under about half a second.
const (
	MaxSubschemas           = 10000 // schema objects in all field specs together
	MaxCollectionSubschemas = 3000  // schema objects in one collection's field specs
	MaxRegexCost            = 50000 // RE2 instructions of all patterns together
)

// budget counts a document's work against the limits above, and the memory its compiled form
// will keep (size.go).
type budget struct {
	subschemas, collectionSubschemas, regexCost int
	bytes                                       int
	location                                    int // bytes of the collection's compiled location prefix
}

// prepareSpec checks one field's spec and takes RecordRoom's `required: true|false` shorthand
// out of it. An array `required` is JSON Schema's own keyword (for an object-valued field) and
// stays. The spec's other mistakes (wrong keyword types, bad regexes) are found by compiling.
// ptr is the length of the spec's JSON pointer in its collection's compiled document.
func prepareSpec(path string, ptr int, v any, b *budget) (map[string]any, bool, error) {
	spec, ok := v.(map[string]any)
	if !ok {
		return nil, false, errorf(path, "must be an object (a JSON Schema)")
	}
	if err := checkValue(path, spec, 1); err != nil {
		return nil, false, err
	}
	required := false
	switch r := spec["required"].(type) {
	case nil:
		if _, present := spec["required"]; present {
			return nil, false, errorf(path+".required", "must be true, false or an array of property names")
		}
	case bool:
		required = r
		spec = cloneWithout(spec, "required")
	case []any:
	default:
		return nil, false, errorf(path+".required", "must be true, false or an array of property names")
	}
	if err := b.checkKeywords(path, ptr, spec); err != nil {
		return nil, false, err
	}
	return spec, required, nil
}

func cloneWithout(m map[string]any, key string) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			c[k] = v
		}
	}
	return c
}

// checkKeywords walks the subschemas of a spec, refusing unknown and reference keywords and
// out-of-range integer keywords. Values of the wrong shape are left to the compiler's
// metaschema check, which names them better. ptr is the length of v's JSON pointer (path is
// clipped for messages; the compiled schema keeps the pointer whole).
func (b *budget) checkKeywords(path string, ptr int, v any) error {
	switch v.(type) {
	case map[string]any, bool:
		b.countSubschema(ptr)
		b.subschemas++
		b.collectionSubschemas++
		if b.collectionSubschemas > MaxCollectionSubschemas {
			return errorf(path, "the collection's field specs hold more than %d subschemas", MaxCollectionSubschemas)
		}
		if b.subschemas > MaxSubschemas {
			return errorf(path, "the field specs hold more than %d subschemas in all", MaxSubschemas)
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil // booleans are schemas too; anything else the metaschema refuses
	}
	for _, k := range sortedKeys(obj) {
		kpath, kptr := path+"."+clip(k), ptr+1+len(k)
		val := obj[k]
		switch {
		case refKeywords[k]:
			return errorf(kpath, "is not supported: a field spec must be self-contained (no references, ids or $schema)")
		case schemaKeywords[k]:
			if err := b.checkKeywords(kpath, kptr, val); err != nil {
				return err
			}
		case schemaListKeywords[k]:
			list, _ := val.([]any)
			b.bytes += sliceBytes + pointerBytes*len(list)
			for i, sub := range list {
				is := strconv.Itoa(i)
				if err := b.checkKeywords(kpath+"."+is, kptr+1+len(is), sub); err != nil {
					return err
				}
			}
		case schemaMapKeywords[k]:
			m, _ := val.(map[string]any)
			b.bytes += objectBytes
			for _, name := range sortedKeys(m) {
				b.bytes += memberBytes + len(name)
				if k == "patternProperties" {
					if err := b.checkRegex(kpath+"."+clip(name), name); err != nil {
						return err
					}
				}
				if err := b.checkKeywords(kpath+"."+clip(name), kptr+1+len(name), m[name]); err != nil {
					return err
				}
			}
		case k == "required" && isBool(val):
			// The field spec's own `required` was taken out by prepareSpec: this one is nested.
			return errorf(kpath, `must be an array of property names: "required": true is shorthand only at a field's top level`)
		case valueKeywords[k]:
			b.bytes += valueSize(val) // enum, const, default, examples and titles are kept as decoded
			if n, ok := val.(json.Number); ok && ratKeywords[k] {
				b.bytes += ratBytes + 2*len(n)
			}
			if p, ok := val.(string); ok && k == "pattern" {
				if err := b.checkRegex(kpath, p); err != nil {
					return err
				}
			}
			if intKeywords[k] {
				if err := checkIntKeyword(kpath, val); err != nil {
					return err
				}
			}
		case strings.HasPrefix(k, "x-"):
		default:
			return errorf(kpath, "unknown keyword: not a JSON Schema 2020-12 keyword RecordRoom supports (extensions start with x-)")
		}
	}
	return nil
}

// checkRegex refuses a pattern Go's regexp (RE2: linear-time matching, no lookaround or
// backreferences) cannot compile, and counts its size: `a{1,1000}` is a thousand instructions.
// patternProperties names are checked here rather than by the metaschema, whose errors about
// property names the library reports at a wrong location.
func (b *budget) checkRegex(path, pattern string) error {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return errorf(path, "invalid regular expression: %v", err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return errorf(path, "invalid regular expression: %v", err)
	}
	b.bytes += regexpBytes + regexpInstBytes*len(prog.Inst)
	if b.regexCost += len(prog.Inst); b.regexCost > MaxRegexCost {
		return errorf(path, "the patterns are too complex: more than %d regular expression instructions in all", MaxRegexCost)
	}
	return nil
}

func isBool(v any) bool {
	_, ok := v.(bool)
	return ok
}

func checkIntKeyword(path string, v any) error {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	r, ok := new(big.Rat).SetString(string(n))
	if ok && r.IsInt() && r.Num().Cmp(big.NewInt(math.MaxInt32)) > 0 {
		return errorf(path, "must be at most %d", math.MaxInt32)
	}
	return nil
}

// checkValue bounds a decoded JSON value: nesting depth, and numbers (see NumberProblem).
func checkValue(path string, v any, depth int) error {
	if depth > MaxSpecDepth {
		return errorf(path, "nests more than %d levels deep", MaxSpecDepth)
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if err := checkValue(path+"."+clip(k), v[k], depth+1); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkValue(path+"."+strconv.Itoa(i), e, depth+1); err != nil {
				return err
			}
		}
	case json.Number:
		if msg := NumberProblem(string(v)); msg != "" {
			return errorf(path, "%s", msg)
		}
	}
	return nil
}

// Bounds on a number's text. The JSON Schema library turns numbers into big.Rat, whose cost grows
// faster than linearly with the digits and the exponent (1e1000000 takes 40 ms; a million digits
// take seconds), so a few bytes could cost seconds per check. 1000 digits and exponents within
// ±1000 are far beyond float64 and still cost microseconds.
const (
	maxNumberLen      = 1000
	maxNumberExponent = 1000
)

// NumberProblem says what is wrong with a number's text, or "" when it is a JSON number within
// the bounds above. The record service holds all data to the same bounds, with or without field
// checks: beyond them Postgres either refuses a number or stores one whose text is up to 128 KB.
func NumberProblem(s string) string {
	if len(s) > maxNumberLen {
		return "number has more than 1000 characters"
	}
	if !validJSONNumber(s) {
		return "is not a valid JSON number"
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > maxNumberExponent || exp < -maxNumberExponent {
			return "number's exponent is outside ±1000"
		}
	}
	return ""
}

// validJSONNumber follows the grammar of RFC 8259 §6 (json.Number from a decoder always matches;
// one built by hand may not, and the library would then dereference a nil big.Rat).
func validJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
