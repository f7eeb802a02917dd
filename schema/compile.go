package schema

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// refuseLoader is the compiler's only loader: a schema never reaches the network or the file
// system, whatever it says. (checkKeywords already refuses $ref and $schema; this is the second
// lock. The 2020-12 metaschemas are built into the library and need no loader.)
type refuseLoader struct{}

func (refuseLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("loading %s is not allowed: schemas are self-contained", u)
}

// compile turns a collection's JSON Schema document into a validator. Formats are annotations
// (the 2020-12 default), content keywords too.
func compile(name, path string, doc map[string]any) (sch *jsonschema.Schema, err error) {
	defer func() {
		if r := recover(); r != nil { // a library bug must not take the server down
			sch, err = nil, errorf(path, "cannot compile the field specs: %v", r)
		}
	}()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(refuseLoader{})
	loc := collectionLocation(name)
	if err := c.AddResource(loc, doc); err != nil {
		return nil, errorf(path, "cannot compile the field specs: %v", err)
	}
	sch, err = c.Compile(loc)
	if err != nil {
		return nil, compileError(path, err)
	}
	return sch, nil
}

// collectionLocation is the URL a collection's field specs compile under: every compiled
// subschema keeps it in its Location.
func collectionLocation(name string) string {
	return "recordroom:///collections/" + url.PathEscape(name)
}

// compileError names the keyword a compile error is about, as a path through the collection's
// fields: the compiled document is {"properties": {field: spec}}, and the schema document has
// the same specs under collections.<name>.fields.
func compileError(path string, err error) error {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			tokens, msg := metaschemaError(ve)
			return errorf(specPath(path, tokens), "%s", msg)
		}
	}
	var rxe *jsonschema.InvalidRegexError
	if errors.As(err, &rxe) {
		return errorf(specPath(path, fragmentTokens(rxe.URL)), "invalid regular expression %q: %v", clip(rxe.Regex), rxe.Err)
	}
	return errorf(path, "cannot compile the field specs: %v", err)
}

// metaschemaError picks what to say about a spec refused by the 2020-12 metaschema: the deepest
// location that failed, with every reason given there (alternatives of an anyOf, as for `type`,
// are joined with "or").
func metaschemaError(ve *jsonschema.ValidationError) ([]string, string) {
	var leaves []located
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, located{e.InstanceLocation, message(e.ErrorKind)})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(leaves) == 0 {
		return nil, "does not match the JSON Schema 2020-12 metaschema"
	}
	slices.SortStableFunc(leaves, func(a, b located) int {
		if d := len(b.at) - len(a.at); d != 0 {
			return d // deepest first
		}
		return slices.Compare(a.at, b.at)
	})
	at := leaves[0].at
	var msgs []string
	for _, l := range leaves {
		if slices.Equal(l.at, at) && !slices.Contains(msgs, l.msg) {
			msgs = append(msgs, l.msg)
		}
	}
	return at, strings.Join(msgs, ", or ")
}

// specPath turns a location in the compiled document into a schema-document path.
func specPath(path string, tokens []string) string {
	if len(tokens) < 2 || tokens[0] != "properties" {
		return path
	}
	parts := []string{path + ".fields"}
	for _, t := range tokens[1:] {
		parts = append(parts, clip(t))
	}
	return strings.Join(parts, ".")
}

// fragmentTokens splits the JSON pointer in a schema location's fragment.
func fragmentTokens(loc string) []string {
	_, frag, ok := strings.Cut(loc, "#")
	if !ok || frag == "" {
		return nil
	}
	var tokens []string
	for _, t := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if u, err := url.PathUnescape(t); err == nil { // the library escapes each token
			t = u
		}
		tokens = append(tokens, strings.NewReplacer("~1", "/", "~0", "~").Replace(t))
	}
	return tokens
}
