package schema

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Validate checks record data (a decoded JSON object, numbers as json.Number from UseNumber, or
// float64) against the collection's fields. It returns every failing value as a FieldError,
// sorted by path (array indexes in numeric order); nil means valid. A missing required field is
// reported as that field, "is required"; an undeclared field of a collection with
// additionalFields false as that field, "is not allowed".
//
// With field checks, every number in data must also be within the bounds docs/schemas.md gives (1000
// characters, exponent within ±1000), which keeps validation fast whatever the data.
func (c *Collection) Validate(data map[string]any) (errs []FieldError) {
	if c == nil || c.validator == nil {
		return nil
	}
	out := collector{data: data}
	out.numbers(nil, data)
	if len(out.list) > 0 {
		return out.result()
	}
	defer func() {
		if r := recover(); r != nil { // a library bug must not take the server down
			errs = []FieldError{{Message: fmt.Sprintf("cannot be validated: %v", r)}}
		}
	}()
	err := c.validator.Validate(data)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []FieldError{{Message: err.Error()}}
	}
	out.add(ve, nil)
	if len(out.list) == 0 { // cannot happen: a failure has a leaf; never answer "valid" for it
		return []FieldError{{Message: "does not match the schema"}}
	}
	return out.result()
}

type located struct {
	at  []string
	msg string
}

// collector turns jsonschema's tree of errors into flat field errors.
type collector struct {
	data any // what was validated
	list []located
}

func (out *collector) emit(at []string, msg string) {
	out.list = append(out.list, located{slices.Clone(at), msg})
}

// add flattens e. parent is the location of e's nearest ancestor.
func (out *collector) add(e *jsonschema.ValidationError, parent []string) {
	at := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range e.Causes {
			out.add(c, at)
		}
	case *kind.Required:
		for _, m := range k.Missing {
			out.emit(append(slices.Clip(at), m), "is required")
		}
	case *kind.DependentRequired:
		for _, m := range k.Missing {
			out.emit(append(slices.Clip(at), m), fmt.Sprintf("is required when %q is present", k.Prop))
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			out.emit(append(slices.Clip(at), p), "is not allowed")
		}
	case *kind.PropertyNames:
		why := out.details(nil, e.Causes)
		if obj, ok := out.locateObject(e.SchemaURL, k.Property); ok {
			out.emit(append(obj, k.Property), "is not an allowed property name"+why)
		} else {
			out.emit(parent, fmt.Sprintf("has a property name that is not allowed, %q", k.Property)+why)
		}
	case *kind.AnyOf:
		out.emit(at, "must match at least one of the anyOf schemas"+out.details(at, e.Causes))
	case *kind.OneOf:
		if len(k.Subschemas) >= 2 {
			out.emit(at, fmt.Sprintf("must match exactly one of the oneOf schemas, but matches %d and %d", k.Subschemas[0], k.Subschemas[1]))
		} else {
			out.emit(at, "must match exactly one of the oneOf schemas, but matches none"+out.details(at, e.Causes))
		}
	default:
		out.emit(at, message(e.ErrorKind))
	}
}

// locateObject finds the object a propertyNames failure is about. jsonschema v6.0.3 records its
// InstanceLocation with a slice it goes on appending to, so the tokens may be overwritten; the
// schema location is right, and says which data paths the failing propertyNames applies to
// (`/properties/list/items/propertyNames`: `list.*`). The answer is the one object at such a
// path holding the property; ok is false when there is no single one.
func (out *collector) locateObject(schemaURL, prop string) ([]string, bool) {
	type step struct {
		token   string // a property, or with isIndex an array index
		isIndex bool
		any     bool // any property or index
	}
	var pattern []step
	tokens := fragmentTokens(schemaURL)
	for i := 0; i < len(tokens); i++ {
		switch tokens[i] {
		case "properties", "prefixItems":
			if i+1 >= len(tokens) {
				return nil, false
			}
			pattern = append(pattern, step{token: tokens[i+1], isIndex: tokens[i] == "prefixItems"})
			i++
		case "patternProperties":
			i++
			pattern = append(pattern, step{any: true})
		case "additionalProperties", "unevaluatedProperties", "items", "contains", "unevaluatedItems":
			pattern = append(pattern, step{any: true})
		case "allOf", "anyOf", "oneOf", "dependentSchemas":
			i++
		case "not", "if", "then", "else":
		case "propertyNames":
			if i != len(tokens)-1 {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	var found [][]string
	var walk func(at []string, v any, rest []step)
	walk = func(at []string, v any, rest []step) {
		if len(found) > 1 {
			return
		}
		if len(rest) == 0 {
			if m, ok := v.(map[string]any); ok {
				if _, ok := m[prop]; ok {
					found = append(found, slices.Clone(at))
				}
			}
			return
		}
		switch v := v.(type) {
		case map[string]any:
			if !rest[0].any {
				if e, ok := v[rest[0].token]; ok && !rest[0].isIndex {
					walk(append(slices.Clip(at), rest[0].token), e, rest[1:])
				}
				return
			}
			for k, e := range v {
				walk(append(slices.Clip(at), k), e, rest[1:])
			}
		case []any:
			for i, e := range v {
				if tok := strconv.Itoa(i); rest[0].any || rest[0].isIndex && rest[0].token == tok {
					walk(append(slices.Clip(at), tok), e, rest[1:])
				}
			}
		}
	}
	walk(nil, out.data, pattern)
	if len(found) != 1 {
		return nil, false
	}
	return found[0], true
}

// details summarises why the alternatives of an anyOf or oneOf failed, briefly.
func (out *collector) details(at []string, causes []*jsonschema.ValidationError) string {
	sub := collector{data: out.data}
	for _, c := range causes {
		sub.add(c, at)
	}
	var parts []string
	for _, l := range sub.list {
		p := l.msg
		if len(l.at) > len(at) {
			p = strings.Join(l.at[len(at):], ".") + ": " + p
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if len(parts) > 4 {
		parts = append(parts[:4], "…")
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// numbers refuses numbers that would make validation slow (see NumberProblem).
func (out *collector) numbers(at []string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			out.numbers(append(slices.Clip(at), k), e)
		}
	case []any:
		for i, e := range v {
			out.numbers(append(slices.Clip(at), strconv.Itoa(i)), e)
		}
	case json.Number:
		if msg := NumberProblem(string(v)); msg != "" {
			out.emit(at, msg)
		}
	}
}

// result sorts by path, token by token, array indexes as numbers, and drops duplicates.
func (out *collector) result() []FieldError {
	list := out.list
	slices.SortFunc(list, func(a, b located) int {
		if c := slices.CompareFunc(a.at, b.at, compareToken); c != 0 {
			return c
		}
		return strings.Compare(a.msg, b.msg)
	})
	var errs []FieldError
	for i, l := range list {
		if i > 0 && slices.Equal(l.at, list[i-1].at) && l.msg == list[i-1].msg {
			continue
		}
		errs = append(errs, FieldError{Path: strings.Join(l.at, "."), Message: l.msg})
	}
	return errs
}

// compareToken orders path tokens: array indexes (digits, no leading zero) by number and before
// other tokens, which go by bytes. It must be a total order for the sort to be deterministic.
func compareToken(a, b string) int {
	ai, bi := isIndex(a), isIndex(b)
	switch {
	case ai && bi:
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	case ai:
		return -1
	case bi:
		return 1
	}
	return strings.Compare(a, b)
}

func isIndex(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// message says what is wrong with a value, in words for people writing data.
func message(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("must be %s (got %s)", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		if len(k.Want) == 1 {
			return "must be " + display(k.Want[0])
		}
		var want []string
		for i, w := range k.Want {
			if i == 10 {
				want = append(want, "…")
				break
			}
			want = append(want, display(w))
		}
		return "must be one of " + strings.Join(want, ", ")
	case *kind.Const:
		return "must be " + display(k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %s long (got %d)", plural(k.Want, "character"), k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %s long (got %d)", plural(k.Want, "character"), k.Got)
	case *kind.Minimum:
		return "must be at least " + ratString(k.Want)
	case *kind.Maximum:
		return "must be at most " + ratString(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + ratString(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + ratString(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + ratString(k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %s (got %d)", plural(k.Want, "item"), k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %s (got %d)", plural(k.Want, "item"), k.Got)
	case *kind.MinProperties:
		return fmt.Sprintf("must have at least %d %s (got %d)", k.Want, pick(k.Want, "property", "properties"), k.Got)
	case *kind.MaxProperties:
		return fmt.Sprintf("must have at most %d %s (got %d)", k.Want, pick(k.Want, "property", "properties"), k.Got)
	case *kind.Pattern:
		return fmt.Sprintf("must match the pattern %q", k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("must not hold duplicates (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	case *kind.FalseSchema:
		return "is not allowed"
	case *kind.Not:
		return "must not match the schema in not"
	case *kind.Contains:
		return "must contain an item matching the contains schema"
	case *kind.MinContains:
		return fmt.Sprintf("must contain at least %s matching the contains schema (got %d)", plural(k.Want, "item"), len(k.Got))
	case *kind.MaxContains:
		return fmt.Sprintf("must contain at most %s matching the contains schema (got %d)", plural(k.Want, "item"), len(k.Got))
	case *kind.Format:
		return fmt.Sprintf("is not a valid %s: %v", k.Want, k.Err)
	case *kind.InvalidJsonValue:
		return fmt.Sprintf("is not a JSON value (%T)", k.Value)
	}
	// Kinds a field spec cannot produce here (other drafts' keywords, references, content
	// assertions): name the keyword.
	return "fails " + strings.Join(k.KeywordPath(), "/")
}

func plural(n int, word string) string {
	return fmt.Sprintf("%d %s", n, pick(n, word, word+"s"))
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func display(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return clip(string(b))
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return clip(r.Num().String())
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
