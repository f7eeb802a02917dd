package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/recordroom/recordroom/protocol"
)

// Scope says whose files a file call means (PROTOCOL.md §7).
type Scope struct{ name, widget string }

// The scopes: the calling widget's files (Options.Widget), and the caller's personal files.
var (
	ScopeSelf = Scope{name: "self"}
	ScopeUser = Scope{name: "user"}
)

// ScopeWidget is another widget's files, read-only.
func ScopeWidget(widgetID string) Scope { return Scope{name: "widget", widget: widgetID} }

// String is the scope's name in routes: self, user or widget.
func (s Scope) String() string {
	if s.name == "" {
		return "self"
	}
	return s.name
}

func (s Scope) query() url.Values {
	q := url.Values{}
	if s.widget != "" {
		q.Set("widget", s.widget)
	}
	return q
}

// File is a file's metadata.
type File = protocol.File

// FileURL is a presigned download URL, usable without a token until ExpiresAt.
type FileURL = protocol.FileURL

// FileContent is a download under way: read Body, then close it.
type FileContent struct {
	Body        io.ReadCloser
	ContentType string
	Size        int64 // -1 when unknown
}

// DownloadOptions choose how a file is fetched.
type DownloadOptions struct {
	// Proxy streams the bytes through the RecordRoom server (?proxy=true) instead of fetching
	// them from the presigned S3 URL.
	Proxy bool
}

// filePath is a file route: each segment of path escaped, the slashes kept.
func filePath(scope Scope, path string) string {
	return escapePath("files", scope.String()) + escapePath(strings.Split(path, "/")...)
}

// UploadFile stores body at path, replacing any file there, and returns its metadata. The body
// is streamed; contentType "" stores application/octet-stream.
func (r *REST) UploadFile(ctx context.Context, scope Scope, path string, body io.Reader, contentType string) (File, error) {
	var f File
	err := r.call(ctx, request{method: http.MethodPut, path: filePath(scope, path), query: scope.query(),
		body: body, contentType: contentType}, &f)
	return f, err
}

// FileURL returns a presigned URL for a file (?redirect=false).
func (r *REST) FileURL(ctx context.Context, scope Scope, path string) (FileURL, error) {
	q := scope.query()
	q.Set("redirect", "false")
	var u FileURL
	return u, r.call(ctx, request{method: http.MethodGet, path: filePath(scope, path), query: q}, &u)
}

// DownloadFile opens a file's content: from its presigned URL, or through the server with
// opts.Proxy. The caller closes the returned Body.
func (r *REST) DownloadFile(ctx context.Context, scope Scope, path string, opts DownloadOptions) (*FileContent, error) {
	var resp *http.Response
	if opts.Proxy {
		q := scope.query()
		q.Set("proxy", "true")
		var err error
		if resp, err = r.send(ctx, request{method: http.MethodGet, path: filePath(scope, path), query: q}); err != nil {
			return nil, err
		}
	} else {
		u, err := r.FileURL(ctx, scope, path)
		if err != nil {
			return nil, err
		}
		if resp, err = r.fetch(ctx, u.URL); err != nil {
			return nil, err
		}
	}
	return &FileContent{Body: resp.Body, ContentType: resp.Header.Get("Content-Type"), Size: resp.ContentLength}, nil
}

// fetch GETs a presigned URL. It carries no token: the signature is the authorisation, and a
// bearer token must not travel to the storage host.
func (r *REST) fetch(ctx context.Context, presigned string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, presigned, nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	resp, err := r.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// ListFiles lists the files of a scope whose paths start with prefix ("" for all).
func (r *REST) ListFiles(ctx context.Context, scope Scope, prefix string) ([]File, error) {
	q := scope.query()
	q.Set("scope", scope.String())
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	var list protocol.FileList
	return list.Files, r.call(ctx, request{method: http.MethodGet, path: "/files", query: q}, &list)
}

// DeleteFile removes a file.
func (r *REST) DeleteFile(ctx context.Context, scope Scope, path string) error {
	return r.call(ctx, request{method: http.MethodDelete, path: filePath(scope, path), query: scope.query()}, nil)
}
