package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	validationerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// newOpenAPIServer builds the router without services: every route registers, and the routes
// these tests call (health, readiness, the document, a refused room id) never reach a service.
func newOpenAPIServer(ready ...Check) *echo.Echo {
	return New(Config{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry:  prometheus.NewRegistry(),
		Ready:     ready,
		FileStore: http.NotFoundHandler(),
	})
}

// openAPIValidator parses the embedded document with libopenapi and fails the test on any error.
func openAPIValidator(t *testing.T) (libopenapi.Document, validator.Validator) {
	t.Helper()
	doc, err := libopenapi.NewDocument(openAPI)
	require.NoError(t, err, "parse api/openapi.json")
	v, errs := validator.NewValidator(doc)
	require.Empty(t, errs, "build a validator for api/openapi.json")
	return doc, v
}

func describeValidationErrors(errs []*validationerrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n%s: %s (line %d)", e.Message, e.Reason, e.SpecLine)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n  %s at %s (schema %s)", f.Reason, f.FieldPath, f.KeywordLocation)
		}
	}
	return b.String()
}

// TestOpenAPIDocumentIsValid checks api/openapi.json against the OpenAPI 3.1 specification (its
// JSON Schema), resolves every $ref, and checks every Schema Object in it against JSON Schema
// 2020-12 (which the specification's own schema leaves unchecked), examples included.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc, v := openAPIValidator(t)
	require.Equal(t, "3.1.0", doc.GetVersion())

	_, err := doc.BuildV3Model() // fails on any $ref that does not resolve
	require.NoError(t, err)

	ok, errs := v.ValidateDocument()
	require.True(t, ok, "api/openapi.json is not a valid OpenAPI 3.1 document:%s", describeValidationErrors(errs))
	require.Empty(t, errs)

	// Schema Objects: compiled with the whole document as one resource, so that each is checked
	// against the JSON Schema 2020-12 meta-schema and each $ref in it must resolve.
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPI))
	require.NoError(t, err)
	const base = "file:///openapi.json"
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	require.NoError(t, compiler.AddResource(base, raw))
	var tree any
	require.NoError(t, json.Unmarshal(openAPI, &tree))
	found := openAPISchemas(tree, "", nil)
	require.NotEmpty(t, found)
	for _, s := range found {
		sch, err := compiler.Compile(base + "#" + s.pointer)
		require.NoError(t, err, "schema at %s", s.pointer)
		for i, example := range s.examples {
			// Round-trip through the library's decoder, which keeps numbers as json.Number.
			b, err := json.Marshal(example)
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			require.NoError(t, err)
			require.NoError(t, sch.Validate(inst), "example %d of the schema at %s", i, s.pointer)
		}
	}
}

// openAPISchema is one Schema Object of the document and the examples given for it.
type openAPISchema struct {
	pointer  string
	examples []any
}

// openAPISchemas finds the Schema Objects of an OpenAPI document: the entries of
// components.schemas and every `schema` of a parameter, header or media type. Schemas and
// examples are not searched further (a property or an example field may be called "schema").
func openAPISchemas(node any, pointer string, found []openAPISchema) []openAPISchema {
	switch n := node.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(n)) {
			p := pointer + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			v := n[k]
			switch {
			case pointer == "/components/schemas":
				found = append(found, openAPISchema{pointer: p, examples: schemaExamples(v)})
			case k == "schema":
				s := openAPISchema{pointer: p, examples: schemaExamples(v)}
				if example, ok := n["example"]; ok {
					s.examples = append(s.examples, example)
				}
				found = append(found, s)
			case k == "example" || k == "examples":
			default:
				found = openAPISchemas(v, p, found)
			}
		}
	case []any:
		for i, v := range n {
			found = openAPISchemas(v, fmt.Sprintf("%s/%d", pointer, i), found)
		}
	}
	return found
}

func schemaExamples(schema any) []any {
	if m, ok := schema.(map[string]any); ok {
		if examples, ok := m["examples"].([]any); ok {
			return examples
		}
	}
	return nil
}

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// wildcardParam names a route's trailing wildcard (the rest of the path, slashes included) as
// the document does: {key} for the file store, {name} for documents, {path} for files.
func wildcardParam(route string) string {
	path, ok := strings.CutSuffix(route, "/*")
	switch {
	case !ok:
		return route
	case strings.HasPrefix(route, FileStorePrefix):
		return path + "/{key}"
	case strings.HasSuffix(path, "/docs"), strings.HasSuffix(path, "/yjs"):
		return path + "/{name}"
	}
	return path + "/{path}"
}

// TestOpenAPIDocumentsEveryRoute compares the routes New registers with the operations the
// document describes, both ways, and checks that room routes document their errors.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	e := newOpenAPIServer()
	var routes []string
	for _, r := range e.Routes() {
		if r.Path == "" || r.Method == echo.RouteNotFound {
			continue // echo's own catch-alls (group middleware registers them)
		}
		path := wildcardParam(r.Path)
		require.NotContains(t, path, "*", "wildcard route %s %s: describe it in api/openapi.json and teach this test", r.Method, r.Path)
		routes = append(routes, r.Method+" "+echoParam.ReplaceAllString(path, "{$1}"))
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)

	doc, _ := openAPIValidator(t)
	model, err := doc.BuildV3Model()
	require.NoError(t, err)
	var documented []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().KeysFromOldest() {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)

	var undocumented, missing []string
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			undocumented = append(undocumented, r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			missing = append(missing, d)
		}
	}
	require.Empty(t, undocumented, "routes the server has that api/openapi.json does not describe")
	require.Empty(t, missing, "operations api/openapi.json describes that the server does not route")
	require.Len(t, documented, len(routes))

	// Every operation is named, and every room route documents the errors any room route can
	// answer (a bad room id, a bad token, a server failure), plus 413 where it takes a body.
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			name := strings.ToUpper(method) + " " + path
			require.NotEmpty(t, op.OperationId, "%s: operationId", name)
			require.NotNil(t, op.Responses, "%s: responses", name)
			if !strings.HasPrefix(path, "/v1/rooms/{room}/") {
				continue
			}
			want := []string{"400", "401", "500"}
			if op.RequestBody != nil {
				want = append(want, "413")
			}
			for _, code := range want {
				_, ok := op.Responses.Codes.Get(code)
				require.True(t, ok, "%s: no %s response", name, code)
			}
		}
	}
}

// TestOpenAPIServed fetches the document from the server, and checks the responses of the routes
// that need no database against it.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	_, v := openAPIValidator(t)
	e := newOpenAPIServer(
		Check{Name: "database", Check: func(context.Context) error { return nil }},
	)
	failing := newOpenAPIServer(
		Check{Name: "database", Check: func(context.Context) error { return nil }},
		Check{Name: "listener", Check: func(context.Context) error {
			return errors.New(`failed to connect to user=recordroom database=prod host=10.1.2.3`)
		}},
	)

	get := func(h http.Handler, path string) (*http.Request, *httptest.ResponseRecorder) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return req, rec
	}
	conforms := func(req *http.Request, rec *httptest.ResponseRecorder) {
		t.Helper()
		ok, errs := v.ValidateHttpResponse(req, rec.Result())
		require.True(t, ok, "GET %s answered %d %s, not as documented:%s",
			req.URL.Path, rec.Code, rec.Body.String(), describeValidationErrors(errs))
	}

	req, rec := get(e, "/openapi.json")
	require.Equal(t, http.StatusOK, rec.Code)
	mediaType, _, err := mime.ParseMediaType(rec.Header().Get(echo.HeaderContentType))
	require.NoError(t, err)
	require.Equal(t, "application/json", mediaType)
	require.Equal(t, openAPI, rec.Body.Bytes())
	conforms(req, rec)

	req, rec = get(e, "/healthz")
	require.Equal(t, http.StatusOK, rec.Code)
	conforms(req, rec)

	req, rec = get(e, "/readyz")
	require.Equal(t, http.StatusOK, rec.Code)
	conforms(req, rec)

	req, rec = get(failing, "/readyz")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	conforms(req, rec)
	require.JSONEq(t, `{"status":"unavailable","checks":{"database":"ok","listener":"unavailable"}}`, rec.Body.String(),
		"no database error in an unauthenticated answer")

	// The room id is checked before anything else: the error contract without a database.
	req, rec = get(e, "/v1/rooms/bad!room/me")
	require.Equal(t, http.StatusBadRequest, rec.Code)
	conforms(req, rec)
}
