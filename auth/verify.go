package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/recordroom/recordroom/internal/ids"
)

// ErrInvalidToken is wrapped by every error Verify returns. The error's text is short and safe to
// show the client ("invalid token: token expired"); errors.Is also reaches the underlying cause
// (a jwt.Err* value, a JWKS error) for logs.
var ErrInvalidToken = errors.New("invalid token")

const (
	// Leeway is the clock skew tolerated on exp and nbf, so a token minted on a host whose clock
	// runs a little ahead (or used just as it expires) still passes.
	Leeway = 30 * time.Second
	// MaxTokenBytes bounds a token before any parsing: real tokens are ~1 KiB, and everything in
	// a token is decoded before its signature can be checked.
	MaxTokenBytes = 8 << 10
	// MaxSubjectBytes bounds sub, which becomes the userId stored on every row a user creates.
	MaxSubjectBytes = 256
	// maxEmailBytes and maxNameBytes bound the optional profile claims; longer ones are ignored.
	maxEmailBytes = 320
	maxNameBytes  = 256
	// minRSABits refuses keys weaker than today's floor.
	minRSABits = 2048
	// minSecretBytes is the HS256 secret length under which NewVerifier warns.
	minSecretBytes = 32
)

// VerifierConfig says which tokens a Verifier accepts. At least one of Secret and JWKSURL is set.
type VerifierConfig struct {
	Secret   []byte // HS256; may be empty when JWKSURL is set
	JWKSURL  string // RS256/ES256 keys; may be empty when Secret is set
	Issuer   string // when set, iss must equal it
	Audience string // when set, aud must contain it
	// HTTPClient fetches the JWKS; nil → a private client with a 10 s timeout whose idle
	// connections are closed when the Verifier's context ends.
	HTTPClient *http.Client
	Logger     *slog.Logger // nil → slog.Default()
	// JWKSRefreshInterval is how often the keys are re-fetched in the background; 0 → 1 h.
	JWKSRefreshInterval time.Duration
	// JWKSMinRefreshGap is the least time between two fetches caused by tokens with an unknown
	// kid, so a flood of random kids cannot hammer the identity provider; 0 → 10 s.
	JWKSMinRefreshGap time.Duration
}

// Verifier checks bearer tokens. It is safe for concurrent use.
type Verifier struct {
	secret  []byte
	jwks    keyfunc.Keyfunc // nil without a JWKS URL
	methods []string        // the algs accepted, decided by what is configured
	parser  *jwt.Parser
	log     *slog.Logger
}

// verifiedClaims are the claims Verify reads. Email and name are decoded loosely: a token
// signed by the trusted issuer with, say, an object for email is still authentic, so an
// unusable profile claim is ignored rather than locking the user out.
type verifiedClaims struct {
	Email         any `json:"email"`
	EmailVerified any `json:"email_verified"`
	Name          any `json:"name"`
	// Widget binds the token to one widget. Unlike the profile claims it is a boundary, so a
	// widget claim that is not a valid id refuses the token rather than being ignored.
	Widget any `json:"widget"`
	jwt.RegisteredClaims
}

// NewVerifier prepares verification. With a JWKS URL it fetches the keys once (bounded by a 10 s
// timeout) and starts a background refresher that ends with ctx. A failed first fetch is logged
// and not fatal, so a replica can start while the identity provider is briefly down: the keys
// are fetched again on demand, when the first token needing them arrives.
func NewVerifier(ctx context.Context, cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Secret) == 0 && cfg.JWKSURL == "" {
		return nil, errors.New("auth: no way to verify tokens: set RECORDROOM_JWT_SECRET and/or RECORDROOM_JWKS_URL")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	v := &Verifier{log: log}
	if len(cfg.Secret) > 0 {
		if len(cfg.Secret) < minSecretBytes {
			log.WarnContext(ctx, "auth: the HS256 secret is short; use at least 32 random bytes", "bytes", len(cfg.Secret))
		}
		v.secret = bytes.Clone(cfg.Secret)
		v.methods = append(v.methods, jwt.SigningMethodHS256.Alg())
	}
	if cfg.JWKSURL != "" {
		if err := checkJWKSURL(cfg.JWKSURL); err != nil {
			return nil, err
		}
		if cfg.Issuer == "" || cfg.Audience == "" {
			// An identity provider signs the tokens of all its applications with the same keys:
			// without iss and aud, a token another application got is a token for this one.
			log.WarnContext(ctx, "auth: tokens signed by the JWKS are accepted whatever application they were issued for; "+
				"set RECORDROOM_JWT_ISSUER and RECORDROOM_JWT_AUDIENCE", "issuer_checked", cfg.Issuer != "", "audience_checked", cfg.Audience != "")
		}
		var err error
		if v.jwks, err = newJWKS(ctx, cfg, log); err != nil {
			return nil, fmt.Errorf("auth: prepare JWKS: %w", err)
		}
		v.methods = append(v.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithLeeway(Leeway),
		jwt.WithExpirationRequired(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// checkJWKSURL accepts an absolute https URL, or http only to a loopback host (a provider in
// development): keys fetched in the clear from elsewhere could be swapped on the way, and whoever
// swaps them signs in as anyone.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("auth: JWKS URL %q: want an absolute http(s) URL", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("auth: JWKS URL %q: http is allowed only to localhost or a loopback address; use https", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Verify checks token and returns who it names. ctx bounds a JWKS fetch an unknown kid may cause.
// Every failure wraps ErrInvalidToken.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, refuse("missing token", nil)
	}
	if len(token) > MaxTokenBytes {
		return Identity{}, refuse("token too large", nil)
	}
	var c verifiedClaims
	tok, err := v.parser.ParseWithClaims(token, &c, v.keyfunc(ctx))
	if err != nil {
		r := v.refusal(tok, &c, err)
		v.log.DebugContext(ctx, "auth: token refused", "reason", r.reason, "err", err)
		return Identity{}, r
	}
	switch {
	case c.Subject == "":
		return Identity{}, refuse("missing sub", nil)
	case len(c.Subject) > MaxSubjectBytes:
		return Identity{}, refuse("sub too long", nil)
	}
	id := Identity{UserID: c.Subject, ExpiresAt: c.ExpiresAt.Time}
	if s, ok := c.Email.(string); ok && len(s) <= maxEmailBytes {
		id.Email = s
		id.EmailUnverified = c.EmailVerified == false || c.EmailVerified == "false"
	}
	if s, ok := c.Name.(string); ok && len(s) <= maxNameBytes {
		id.Name = s
	}
	if c.Widget != nil {
		w, ok := c.Widget.(string)
		if !ok || !ids.Valid(w) {
			return Identity{}, refuse("widget claim must be a widget id: "+ids.Rule, nil)
		}
		id.Widget = w
	}
	return id, nil
}

// keyfunc picks the key by the token's alg: the secret for HS256, the JWKS for RS256/ES256, so
// an RSA public key can never be used as an HMAC secret (and the parser has already refused any
// alg, "none" included, that the configuration does not allow).
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			// RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
			return nil, refuse("unsupported crit header", nil)
		}
		alg := t.Method.Alg()
		switch {
		case alg == jwt.SigningMethodHS256.Alg() && len(v.secret) > 0:
			return v.secret, nil
		case (alg == jwt.SigningMethodRS256.Alg() || alg == jwt.SigningMethodES256.Alg()) && v.jwks != nil:
			key, err := v.jwks.KeyfuncCtx(ctx)(t)
			if err != nil {
				return nil, refuse("unknown signing key", err)
			}
			if set, ok := key.(jwt.VerificationKeySet); ok {
				// A token without kid: try every key of the right type.
				var keys []jwt.VerificationKey
				for _, k := range set.Keys {
					if keyFits(alg, k) {
						keys = append(keys, k)
					}
				}
				if len(keys) == 0 {
					return nil, refuse("unknown signing key", nil)
				}
				return jwt.VerificationKeySet{Keys: keys}, nil
			}
			if !keyFits(alg, key) {
				return nil, refuse("signing key does not fit alg", nil)
			}
			return key, nil
		default:
			return nil, refuse("unsupported algorithm", nil)
		}
	}
}

// keyFits reports whether key is a public key of the type, and strength, alg needs.
func keyFits(alg string, key any) bool {
	switch alg {
	case jwt.SigningMethodRS256.Alg():
		k, ok := key.(*rsa.PublicKey)
		return ok && k.N.BitLen() >= minRSABits
	case jwt.SigningMethodES256.Alg():
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P256()
	}
	return false
}

// refusal maps a parse error to a reason a client may see.
func (v *Verifier) refusal(tok *jwt.Token, c *verifiedClaims, err error) *refusalError {
	var r *refusalError
	if errors.As(err, &r) {
		return &refusalError{reason: r.reason, cause: err}
	}
	if errors.Is(err, jwt.ErrTokenMalformed) {
		return refuse("malformed token", err)
	}
	if tok != nil {
		if alg, _ := tok.Header["alg"].(string); !slices.Contains(v.methods, alg) {
			return refuse("unsupported algorithm", err)
		}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return refuse("bad signature", err)
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse("token expired", err)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return refuse("token not valid yet", err)
	case errors.Is(err, jwt.ErrTokenInvalidClaims) && c.ExpiresAt == nil:
		return refuse("missing exp", err)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer),
		errors.Is(err, jwt.ErrTokenRequiredClaimMissing) && c.Issuer == "":
		return refuse("wrong issuer", err)
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse("wrong audience", err)
	}
	return refuse("unverifiable token", err)
}

// refusalError is a refused token: Error is the short reason, Unwrap reaches ErrInvalidToken and
// the cause.
type refusalError struct {
	reason string
	cause  error
}

func refuse(reason string, cause error) *refusalError {
	return &refusalError{reason: reason, cause: cause}
}

func (e *refusalError) Error() string { return ErrInvalidToken.Error() + ": " + e.reason }

func (e *refusalError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidToken}
	}
	return []error{ErrInvalidToken, e.cause}
}

// BearerToken extracts the token from an "Authorization: Bearer x" header value (the scheme is
// case-insensitive); "" if absent or malformed.
func BearerToken(header string) string {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	tok := strings.TrimLeft(rest, " ")
	if tok == "" || strings.ContainsAny(tok, " \t,") {
		return ""
	}
	return tok
}
