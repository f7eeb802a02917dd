package s3embed

import (
	"net/http"
	"net/url"
	"strings"
)

// PublicHandler serves presigned GET and HEAD requests for the store's bucket to clients that can
// reach only the API's host. The API mounts it at prefix (for example "/s3"), and the files
// package presigns against the public endpoint http(s)://<api host><prefix>, path-style, so a URL
// reads <api host><prefix>/<bucket>/<key>?X-Amz-…
//
// The signature is checked as made for that URL: the request's Host and its path as sent,
// prefix included (the Host a client used must reach the handler unchanged through any proxy).
// Anything else is refused: unsigned or header-signed requests, other methods, other buckets,
// bucket listings, and query parameters that would select another S3 operation.
func (s *Store) PublicHandler(prefix string) http.Handler {
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.servePublic(w, r, prefix) })
}

func (s *Store) servePublic(w http.ResponseWriter, r *http.Request, prefix string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeS3Error(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "only presigned GET and HEAD requests are served here")
		return
	}
	q := r.URL.Query()
	if !isPresigned(q) {
		writeError(w, r, deny("AccessDenied", "only presigned URLs are served here"))
		return
	}
	raw := requestPath(r)
	if err := s.verifier.verifyPresigned(r, r.Host, raw); err != nil {
		s.log.Debug("s3embed: refused a public request", "path", r.URL.Path, "err", err)
		writeError(w, r, err)
		return
	}
	inner, ok := s.innerRequest(r, prefix, raw, q)
	if !ok {
		writeError(w, r, deny("AccessDenied", "not an object of this store"))
		return
	}
	s.s3.ServeHTTP(w, inner)
}

// innerRequest turns a verified public request into the plain GetObject or HeadObject request
// gofakes3 expects: the prefix and the signature's parameters removed.
func (s *Store) innerRequest(r *http.Request, prefix, raw string, q url.Values) (*http.Request, bool) {
	rest, ok := strings.CutPrefix(raw, prefix+"/")
	if !ok {
		return nil, false
	}
	bucket, key, ok := strings.Cut(rest, "/")
	if !ok || bucket != s.bucket || key == "" {
		return nil, false
	}
	path, err := url.PathUnescape("/" + rest)
	if err != nil {
		return nil, false
	}
	kept := url.Values{}
	for k, v := range q {
		switch {
		case strings.HasPrefix(k, "X-Amz-") || k == "x-id":
		case strings.HasPrefix(k, "response-"):
			kept[k] = v // header overrides the URL's signer chose
		default:
			return nil, false
		}
	}
	inner := r.Clone(r.Context())
	inner.URL = &url.URL{Path: path, RawPath: "/" + rest, RawQuery: kept.Encode()}
	inner.RequestURI = inner.URL.RequestURI()
	inner.Header.Del("Authorization")
	return inner, true
}
