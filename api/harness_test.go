package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/api"
	"github.com/recordroom/recordroom/auth"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/internal/s3embed"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/members"
	"github.com/recordroom/recordroom/records"
)

const secret = "api-test-secret"

// server is the whole HTTP API over a database of the test's own.
type server struct {
	t     *testing.T
	url   string
	store *s3embed.Store
	reg   *prometheus.Registry
}

func newServer(t *testing.T) *server {
	t.Helper()
	return newServerWithSchema(t, nil)
}

// newServerWithSchema starts the API with defaultSchema as RECORDROOM_SCHEMA.
func newServerWithSchema(t *testing.T, defaultSchema []byte) *server {
	t.Helper()
	return newServerAt(t, testdb.New(t).URL, defaultSchema)
}

// testMaxFileBytes is the file size limit of test servers: small, so over-limit uploads are cheap.
const testMaxFileBytes = 1 << 20

// newServerAt starts the API on the database at databaseURL, with the embedded S3 store.
func newServerAt(t *testing.T, databaseURL string, defaultSchema []byte) *server {
	t.Helper()
	return newServerWith(t, databaseURL, defaultSchema, api.Timeouts{})
}

// newServerWith is newServerAt with timeouts of its own (the zero value: the server's defaults).
func newServerWith(t *testing.T, databaseURL string, defaultSchema []byte, timeouts api.Timeouts) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	database, err := db.Open(ctx, databaseURL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(database.Close)
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Secret: []byte(secret)})
	require.NoError(t, err)
	recordService, err := records.New(database, defaultSchema, records.Limits{})
	require.NoError(t, err)

	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	store, err := s3embed.Start(ctx, s3embed.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	fileService, err := files.New(ctx, database, files.Config{
		Endpoint: store.Endpoint(), PublicEndpoint: "http://" + ts.Listener.Addr().String() + api.FileStorePrefix,
		Bucket: store.Bucket(), PathStyle: true, AccessKeyID: store.AccessKeyID(), SecretAccessKey: store.SecretAccessKey(),
		MaxBytes: testMaxFileBytes,
	})
	require.NoError(t, err)

	reg := prometheus.NewRegistry()
	ts.Config.Handler = api.New(api.Config{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry:  reg,
		Verifier:  verifier,
		Members:   members.New(database),
		Records:   recordService,
		Files:     fileService,
		FileStore: store.PublicHandler(api.FileStorePrefix),
		Timeouts:  timeouts,
	})
	ts.Start()
	return &server{t: t, url: ts.URL, store: store, reg: reg}
}

func token(t *testing.T, user string) string {
	t.Helper()
	tok, err := auth.MintHS256([]byte(secret), auth.Identity{UserID: user, Email: user + "@example.org"}, time.Hour, time.Now())
	require.NoError(t, err)
	return tok
}

// response is an answer with its body decoded loosely.
type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), string(r.Body))
	return m
}

// Code is the error code of an error answer.
func (r response) Code(t *testing.T) string {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// do sends a request as user ("" for none); body is marshalled unless it is a string or []byte.
func (s *server) do(user, method, path string, body any, headers ...string) response {
	s.t.Helper()
	if user != "" {
		headers = append([]string{"Authorization", "Bearer " + token(s.t, user)}, headers...)
	}
	return s.send(method, path, body, headers...)
}

// as sends a request with the token of id.
func (s *server) as(id auth.Identity, method, path string, body any) response {
	s.t.Helper()
	tok, err := auth.MintHS256([]byte(secret), id, time.Hour, time.Now())
	require.NoError(s.t, err)
	return s.send(method, path, body, "Authorization", "Bearer "+tok)
}

// send sends a request with the given headers.
func (s *server) send(method, path string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(s.t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	require.NoError(s.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return response{Status: resp.StatusCode, Body: b, Header: resp.Header}
}

// must sends a request and requires the status.
func (s *server) must(status int, user, method, path string, body any, headers ...string) response {
	s.t.Helper()
	r := s.do(user, method, path, body, headers...)
	require.Equal(s.t, status, r.Status, "%s %s as %q: %s", method, path, user, r.Body)
	return r
}

// mustErr sends a request and requires the error status and code.
func (s *server) mustErr(status int, code, user, method, path string, body any, headers ...string) response {
	s.t.Helper()
	r := s.must(status, user, method, path, body, headers...)
	require.Equal(s.t, code, r.Code(s.t), "%s %s: %s", method, path, r.Body)
	return r
}

// handled counts the requests the server has finished for method and route pattern.
func (s *server) handled(method, route string) float64 {
	s.t.Helper()
	families, err := s.reg.Gather()
	require.NoError(s.t, err)
	var n float64
	for _, f := range families {
		if f.GetName() != "recordroom_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == method && labels["route"] == route {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}
