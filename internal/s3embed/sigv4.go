package s3embed

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigV4 verification. gofakes3 checks no signature at all, so the embedded store puts this in
// front of it: a request passes only when signing it again with our secret, with the SDK's own
// signer and the request's own signed headers, time, region and payload hash, yields the
// signature it carries. Whatever the client signed is then exactly what the server sees, or the
// signatures differ.

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFmt   = "20060102T150405Z"
	// maxSkew is how far a request's signing time may be from our clock, as in S3.
	maxSkew = 15 * time.Minute
	// maxPresignExpiry is S3's longest presigned URL lifetime, seven days.
	maxPresignExpiry = 7 * 24 * time.Hour
	unsignedPayload  = "UNSIGNED-PAYLOAD"
)

// verifier checks signatures made with one key pair.
type verifier struct {
	creds  aws.Credentials
	signer *v4.Signer
	now    func() time.Time
}

func newVerifier(creds aws.Credentials, now func() time.Time) *verifier {
	return &verifier{creds: creds, signer: v4.NewSigner(), now: now}
}

// authError is a refused request, with S3's error code for it.
type authError struct{ code, msg string }

func (e *authError) Error() string { return e.code + ": " + e.msg }

func deny(code, format string, args ...any) error {
	return &authError{code: code, msg: fmt.Sprintf(format, args...)}
}

// isPresigned tells whether a request carries its signature in the query.
func isPresigned(q url.Values) bool {
	return q.Has("X-Amz-Signature") || q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential")
}

// verify checks r's header or query signature, as made for host and the escaped path rawPath
// (the path as sent, which is what the client signed).
func (v *verifier) verify(r *http.Request, host, rawPath string) error {
	if isPresigned(r.URL.Query()) {
		return v.verifyPresigned(r, host, rawPath)
	}
	if strings.HasPrefix(r.Header.Get("Authorization"), sigAlgorithm+" ") {
		return v.verifyHeader(r, host, rawPath)
	}
	return deny("AccessDenied", "the request is not signed with AWS Signature Version 4")
}

// verifyHeader checks an Authorization header signature.
func (v *verifier) verifyHeader(r *http.Request, host, rawPath string) error {
	fields := parseAuthorization(r.Header.Get("Authorization"))
	region, err := v.checkCredential(fields["Credential"])
	if err != nil {
		return err
	}
	t, err := v.checkTime(r.Header.Get("X-Amz-Date"), fields["Credential"])
	if err != nil {
		return err
	}
	if now := v.now(); t.Before(now.Add(-maxSkew)) || t.After(now.Add(maxSkew)) {
		return deny("RequestTimeTooSkewed", "the request was signed at %s, more than %s from the server's time", t.Format(time.RFC3339), maxSkew)
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if !acceptedPayloadHash(payload) {
		return deny("AccessDenied", "unsupported x-amz-content-sha256 %q", payload)
	}
	c, err := signedCopy(r, host, rawPath, r.URL.RawQuery, fields["SignedHeaders"])
	if err != nil {
		return err
	}
	err = v.signer.SignHTTP(context.Background(), v.creds, c, payload, "s3", region, t, func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = true // S3 signs the path as sent
	})
	if err != nil {
		return deny("AccessDenied", "cannot sign the request again: %v", err)
	}
	want := parseAuthorization(c.Header.Get("Authorization"))
	return compare(fields["SignedHeaders"], want["SignedHeaders"], fields["Signature"], want["Signature"])
}

// verifyPresigned checks a query signature and its expiry.
func (v *verifier) verifyPresigned(r *http.Request, host, rawPath string) error {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != sigAlgorithm {
		return deny("AuthorizationQueryParametersError", "X-Amz-Algorithm must be %s", sigAlgorithm)
	}
	region, err := v.checkCredential(q.Get("X-Amz-Credential"))
	if err != nil {
		return err
	}
	t, err := v.checkTime(q.Get("X-Amz-Date"), q.Get("X-Amz-Credential"))
	if err != nil {
		return err
	}
	secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > maxPresignExpiry {
		return deny("AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and %d seconds", int64(maxPresignExpiry/time.Second))
	}
	now := v.now()
	if t.After(now.Add(maxSkew)) {
		return deny("AccessDenied", "the request is signed for a time in the future")
	}
	if now.After(t.Add(time.Duration(secs) * time.Second)) {
		return deny("AccessDenied", "Request has expired")
	}
	got := q.Get("X-Amz-Signature")
	q.Del("X-Amz-Signature")
	c, err := signedCopy(r, host, rawPath, q.Encode(), q.Get("X-Amz-SignedHeaders"))
	if err != nil {
		return err
	}
	uri, _, err := v.signer.PresignHTTP(context.Background(), v.creds, c, unsignedPayload, "s3", region, t, func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = true
		o.DisableHeaderHoisting = true // whatever was hoisted is in the query already
	})
	if err != nil {
		return deny("AccessDenied", "cannot sign the request again: %v", err)
	}
	_, rawQuery, _ := strings.Cut(uri, "?")
	want, err := url.ParseQuery(rawQuery)
	if err != nil {
		return deny("AccessDenied", "cannot sign the request again: %v", err)
	}
	return compare(q.Get("X-Amz-SignedHeaders"), want.Get("X-Amz-SignedHeaders"), got, want.Get("X-Amz-Signature"))
}

func compare(gotHeaders, wantHeaders, gotSig, wantSig string) error {
	if gotHeaders != wantHeaders {
		return deny("SignatureDoesNotMatch", "the signed headers %q are not the request's canonical list", gotHeaders)
	}
	if wantSig == "" || subtle.ConstantTimeCompare([]byte(gotSig), []byte(wantSig)) != 1 {
		return deny("SignatureDoesNotMatch", "the request signature we calculated does not match the signature you provided")
	}
	return nil
}

// checkCredential checks a credential scope, AKID/yyyymmdd/region/s3/aws4_request, and returns its
// region: the client chooses it, and the signature covers it.
func (v *verifier) checkCredential(cred string) (region string, err error) {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[3] != "s3" || parts[4] != "aws4_request" || parts[2] == "" {
		return "", deny("AuthorizationHeaderMalformed", "malformed credential %q", cred)
	}
	if subtle.ConstantTimeCompare([]byte(parts[0]), []byte(v.creds.AccessKeyID)) != 1 {
		return "", deny("InvalidAccessKeyId", "the access key id is not ours")
	}
	return parts[2], nil
}

// checkTime parses the signing time, which must fall on the credential scope's date.
func (v *verifier) checkTime(amzDate, cred string) (time.Time, error) {
	t, err := time.Parse(amzDateFmt, amzDate)
	if err != nil {
		return time.Time{}, deny("AccessDenied", "missing or malformed X-Amz-Date")
	}
	if parts := strings.Split(cred, "/"); len(parts) < 2 || parts[1] != t.Format("20060102") {
		return time.Time{}, deny("AuthorizationHeaderMalformed", "the credential date is not the signing date")
	}
	return t, nil
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// acceptedPayloadHash admits a body hash the gate checks (hex SHA-256), or a body the signature
// does not cover, as clients over HTTPS may send. aws-chunked bodies (STREAMING-*) are refused:
// their chunk signatures would go unchecked, and gofakes3 would store the trailer variant's
// framing as content.
func acceptedPayloadHash(h string) bool {
	return hexHash.MatchString(h) || h == unsignedPayload
}

// signedCopy builds a request holding only what a signature covers: method, host, path, query
// and the headers the client listed.
func signedCopy(r *http.Request, host, rawPath, rawQuery, signedHeaders string) (*http.Request, error) {
	names := strings.Split(signedHeaders, ";")
	c := &http.Request{
		Method: r.Method,
		Host:   host,
		URL:    &url.URL{Scheme: "http", Host: host, Opaque: "//" + host + rawPath, RawQuery: rawQuery},
		Header: http.Header{},
	}
	hasHost := false
	for _, n := range names {
		switch n {
		case "host":
			hasHost = true
		case "content-length":
			c.ContentLength = r.ContentLength
		default:
			vals := r.Header.Values(n)
			if len(vals) == 0 {
				return nil, deny("SignatureDoesNotMatch", "signed header %q is missing", n)
			}
			c.Header[http.CanonicalHeaderKey(n)] = vals
		}
	}
	if !hasHost {
		return nil, deny("AccessDenied", "the host header must be signed")
	}
	return c, nil
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
func parseAuthorization(h string) map[string]string {
	fields := map[string]string{}
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return fields
	}
	for _, part := range strings.Split(rest, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
			fields[k] = v
		}
	}
	return fields
}
