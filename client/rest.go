package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/recordroom/recordroom/protocol"
)

// REST calls a room's REST routes (PROTOCOL.md §5). Every *Client embeds one; NewREST makes one
// without a WebSocket, for scripts and admin tools. Failures the server answers are *Error
// values carrying its code and the HTTP status. It is safe for concurrent use.
type REST struct {
	base string // scheme://host[/prefix], no trailing slash
	room string
	opts Options
}

// NewREST makes a REST client for one room of the server at baseURL (http or https).
func NewREST(baseURL, room string, opts Options) (*REST, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: want http://host or https://host", baseURL)
	}
	if room == "" {
		return nil, errors.New("client: no room")
	}
	u.RawQuery, u.Fragment = "", ""
	return &REST{base: strings.TrimSuffix(u.String(), "/"), room: room, opts: opts.withDefaults()}, nil
}

// Room is the room this client talks to.
func (r *REST) Room() string { return r.room }

// request is one REST call below /v1/rooms/{room}.
type request struct {
	method      string
	path        string // escaped, starting with "/"
	query       url.Values
	body        io.Reader
	contentType string
	ifMatch     *int64
}

// escapePath joins path segments, each escaped: an id holding "/" stays one segment.
func escapePath(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

func (r *REST) roomURL(path string, query url.Values) string {
	u := r.base + "/v1/rooms/" + url.PathEscape(r.room) + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// send makes the request and returns a successful response, whose body the caller closes; any
// other answer becomes an *Error.
func (r *REST) send(ctx context.Context, req request) (*http.Response, error) {
	hr, err := http.NewRequestWithContext(ctx, req.method, r.roomURL(req.path, req.query), req.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	if r.opts.TokenSource != nil {
		token, err := r.opts.TokenSource(ctx)
		if err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	hr.Header.Set("X-Widget-Id", r.opts.Widget)
	hr.Header.Set("Accept", "application/json")
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	if req.ifMatch != nil {
		hr.Header.Set("If-Match", fmt.Sprint(*req.ifMatch))
	}
	resp, err := r.opts.HTTPClient.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// call makes the request and decodes a JSON answer into out (nil: the answer is dropped).
func (r *REST) call(ctx context.Context, req request, out any) error {
	resp, err := r.send(ctx, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body) // lets the connection be reused
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", req.method, req.path, err)
	}
	return nil
}

// jsonRequest is a request whose body is v as JSON.
func jsonRequest(method, path string, v any) (request, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return request{}, fmt.Errorf("encode request: %w", err)
	}
	return request{method: method, path: path, body: bytes.NewReader(b), contentType: "application/json"}, nil
}

// decodeError reads the contract's error shape, {"error":{"code","message","details"}}; an
// answer without it (a proxy's error page) still becomes an *Error with a code from its status.
func decodeError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var shape protocol.ErrorBody
	if json.Unmarshal(body, &shape) == nil && shape.Error != nil && shape.Error.Code != "" {
		e := shape.Error
		return &Error{Code: string(e.Code), Message: e.Message, Details: e.Details, HTTPStatus: resp.StatusCode}
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return &Error{Code: codeForStatus(resp.StatusCode), Message: fmt.Sprintf("HTTP %d %s", resp.StatusCode, msg),
		HTTPStatus: resp.StatusCode}
}
