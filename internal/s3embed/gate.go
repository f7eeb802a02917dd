package s3embed

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"hash"
	"io"
	"net/http"
	"strings"
)

// gate lets through only requests signed with the store's credentials; a body whose signed
// SHA-256 it can check is checked as it streams.
func (s *Store) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.verifier.verify(r, r.Host, requestPath(r)); err != nil {
			s.log.Debug("s3embed: refused an unsigned or badly signed request", "method", r.Method, "path", r.URL.Path, "err", err)
			writeError(w, r, err)
			return
		}
		if sum := r.Header.Get("X-Amz-Content-Sha256"); hexHash.MatchString(sum) && r.Body != nil {
			r.Body = &checkedBody{ReadCloser: r.Body, h: sha256.New(), want: sum}
		}
		next.ServeHTTP(w, r)
	})
}

// requestPath is the path as the client sent it, escapes and all: what it signed.
func requestPath(r *http.Request) string {
	p, _, _ := strings.Cut(r.RequestURI, "?")
	if strings.HasPrefix(p, "/") {
		return p
	}
	return r.URL.EscapedPath() // absolute-form request target
}

// errBodyMismatch fails a read whose body is not the one signed; gofakes3 then stores nothing
// (the disk backend writes to a temporary file first).
var errBodyMismatch = errors.New("XAmzContentSHA256Mismatch: the body does not match its signed SHA-256")

// checkedBody hashes a body while it is read and fails the last read if the sum differs.
type checkedBody struct {
	io.ReadCloser
	h    hash.Hash
	want string
}

func (b *checkedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.h.Write(p[:n])
	if errors.Is(err, io.EOF) && hex.EncodeToString(b.h.Sum(nil)) != b.want {
		return n, errBodyMismatch
	}
	return n, err
}

// s3Error is S3's XML error body.
type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

// writeError answers 403 with S3's error document (no body for HEAD).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := "AccessDenied", err.Error()
	var ae *authError
	if errors.As(err, &ae) {
		code, msg = ae.code, ae.msg
	}
	writeS3Error(w, r, http.StatusForbidden, code, msg)
}

func writeS3Error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(s3Error{Code: code, Message: msg})
}
