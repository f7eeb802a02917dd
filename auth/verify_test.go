package auth

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// requireRefused asserts err is a refusal with exactly reason.
func requireRefused(t *testing.T, err error, reason string) {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalidToken)
	require.EqualError(t, err, "invalid token: "+reason)
}

func TestVerifyHS256Valid(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	c := validClaims("alice")
	c["exp"] = exp.Unix()
	c["email"] = "a@x.org"
	c["name"] = "Alice"

	id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
	require.NoError(t, err)
	require.Equal(t, Identity{UserID: "alice", Email: "a@x.org", Name: "Alice", ExpiresAt: exp}, id)
}

func TestVerifyAcceptsMintedTokens(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	tok, err := MintHS256(testSecret, Identity{UserID: "bob", Email: "b@x.org"}, time.Minute, time.Now())
	require.NoError(t, err)
	id, err := v.Verify(t.Context(), tok)
	require.NoError(t, err)
	require.Equal(t, "bob", id.UserID)
	require.Equal(t, "b@x.org", id.Email)
	require.False(t, id.ExpiresAt.IsZero())
}

func TestVerifyHS256WrongSecret(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, []byte("another secret, also 32 bytes!!!"), "", validClaims("alice")))
	requireRefused(t, err, "bad signature")
	require.ErrorIs(t, err, jwt.ErrTokenSignatureInvalid, "the cause stays reachable for logs")
}

func TestVerifyTimeClaims(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	now := time.Now()
	cases := []struct {
		name   string
		edit   func(jwt.MapClaims)
		reason string // "" → accepted
	}{
		{"expired", func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() }, "token expired"},
		{"expired within the leeway", func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() }, ""},
		{"nbf in the future", func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() }, "token not valid yet"},
		{"nbf within the leeway", func(c jwt.MapClaims) { c["nbf"] = now.Add(10 * time.Second).Unix() }, ""},
		{"no nbf", func(c jwt.MapClaims) { delete(c, "nbf") }, ""},
		{"missing exp", func(c jwt.MapClaims) { delete(c, "exp") }, "missing exp"},
		{"exp not a number", func(c jwt.MapClaims) { c["exp"] = "tomorrow" }, "malformed token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validClaims("alice")
			tc.edit(c)
			_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
			if tc.reason == "" {
				require.NoError(t, err)
				return
			}
			requireRefused(t, err, tc.reason)
		})
	}
}

func TestVerifySubject(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	cases := []struct {
		name   string
		sub    any // nil → no sub claim
		reason string
	}{
		{"missing sub", nil, "missing sub"},
		{"empty sub", "", "missing sub"},
		{"sub too long", strings.Repeat("x", MaxSubjectBytes+1), "sub too long"},
		{"sub not a string", 42, "malformed token"},
		{"longest sub", strings.Repeat("x", MaxSubjectBytes), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validClaims("")
			delete(c, "sub")
			if tc.sub != nil {
				c["sub"] = tc.sub
			}
			id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
			if tc.reason == "" {
				require.NoError(t, err)
				require.Equal(t, tc.sub, id.UserID)
				return
			}
			requireRefused(t, err, tc.reason)
		})
	}
}

func TestVerifyIssuerAndAudience(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret, Issuer: "https://idp.example", Audience: "recordroom"})
	plain := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	cases := []struct {
		name   string
		iss    any // nil → absent
		aud    any
		reason string
	}{
		{"both match", "https://idp.example", "recordroom", ""},
		{"aud list contains it", "https://idp.example", []string{"other", "recordroom"}, ""},
		{"wrong iss", "https://evil.example", "recordroom", "wrong issuer"},
		{"missing iss", nil, "recordroom", "wrong issuer"},
		{"wrong aud", "https://idp.example", "other", "wrong audience"},
		{"aud list without it", "https://idp.example", []string{"a", "b"}, "wrong audience"},
		{"missing aud", "https://idp.example", nil, "wrong audience"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validClaims("alice")
			if tc.iss != nil {
				c["iss"] = tc.iss
			}
			if tc.aud != nil {
				c["aud"] = tc.aud
			}
			tok := sign(t, jwt.SigningMethodHS256, testSecret, "", c)
			_, err := v.Verify(t.Context(), tok)
			if tc.reason == "" {
				require.NoError(t, err)
			} else {
				requireRefused(t, err, tc.reason)
			}
			_, err = plain.Verify(t.Context(), tok)
			require.NoError(t, err, "without iss/aud configured, neither is checked")
		})
	}
}

func TestVerifyProfileClaims(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	c := validClaims("alice")
	c["email"] = map[string]any{"primary": "a@x.org"} // not a string: ignored, not refused
	c["name"] = strings.Repeat("n", maxNameBytes+1)   // too long: ignored
	id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
	require.NoError(t, err)
	require.Equal(t, "alice", id.UserID)
	require.Empty(t, id.Email)
	require.Empty(t, id.Name)
}

func TestVerifyEmailVerifiedClaim(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	for _, tc := range []struct {
		claim      any
		unverified bool
	}{{nil, false}, {true, false}, {"true", false}, {false, true}, {"false", true}} {
		c := validClaims("alice")
		c["email"] = "a@x.org"
		if tc.claim != nil {
			c["email_verified"] = tc.claim
		}
		id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
		require.NoError(t, err)
		require.Equal(t, "a@x.org", id.Email, "the email is kept either way")
		require.Equal(t, tc.unverified, id.EmailUnverified, "email_verified=%v", tc.claim)
	}
}

func TestVerifyRefusesAlgNone(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, mustKey(t, rsaKeyA), "a", "RS256", "sig"))
	verifiers := map[string]*Verifier{
		"hs256":      newTestVerifier(t, VerifierConfig{Secret: testSecret}),
		"jwks":       newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()}),
		"hs256+jwks": newTestVerifier(t, VerifierConfig{Secret: testSecret, JWKSURL: srv.url()}),
	}
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "a", validClaims("mallory"))
	for name, v := range verifiers {
		_, err := v.Verify(t.Context(), none)
		requireRefused(t, err, "unsupported algorithm")
		_, err = v.Verify(t.Context(), strings.TrimSuffix(none, ".")+".c2ln")
		require.ErrorIs(t, err, ErrInvalidToken, name)
	}
}

func TestVerifyRefusesAlgorithmsNotConfigured(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, mustKey(t, rsaKeyA), "a", validClaims("alice")))
	requireRefused(t, err, "unsupported algorithm")
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodHS512, testSecret, "", validClaims("alice")))
	requireRefused(t, err, "unsupported algorithm")
}

// TestVerifyRefusesRSAPublicKeyAsHMACSecret is the classic alg confusion: an attacker who knows the
// public key signs HS256 with it as the secret.
func TestVerifyRefusesRSAPublicKeyAsHMACSecret(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, key, "a", "RS256", "sig"))

	forged := sign(t, jwt.SigningMethodHS256, pemKey, "a", validClaims("mallory"))
	_, err = newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()}).Verify(t.Context(), forged)
	requireRefused(t, err, "unsupported algorithm")
	_, err = newTestVerifier(t, VerifierConfig{Secret: testSecret, JWKSURL: srv.url()}).Verify(t.Context(), forged)
	requireRefused(t, err, "bad signature")
	forgedDER := sign(t, jwt.SigningMethodHS256, der, "a", validClaims("mallory"))
	_, err = newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()}).Verify(t.Context(), forgedDER)
	requireRefused(t, err, "unsupported algorithm")
}

func TestVerifyRefusesCritHeader(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims("alice"))
	tok.Header["crit"] = []string{"exp-ext"}
	s, err := tok.SignedString(testSecret)
	require.NoError(t, err)
	_, err = v.Verify(t.Context(), s)
	requireRefused(t, err, "unsupported crit header")
}

func TestVerifyRefusesLargeTokens(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	c := validClaims("alice")
	c["pad"] = strings.Repeat("p", MaxTokenBytes)
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
	requireRefused(t, err, "token too large")
}

func TestVerifyGarbageFailsFast(t *testing.T) {
	t.Parallel()
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, mustKey(t, rsaKeyA), "a", "RS256", "sig"))
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret, JWKSURL: srv.url()})
	hits := srv.hits.Load()
	b64 := base64.RawURLEncoding.EncodeToString
	garbage := map[string]string{
		"empty":             "",
		"two parts":         "a.b",
		"three junk parts":  "a.b.c",
		"only dots":         "..",
		"four parts":        "a.b.c.d",
		"10 KiB of junk":    strings.Repeat("junk", 10<<8),
		"just under limit":  strings.Repeat("A", MaxTokenBytes),
		"not base64":        "!!!.@@@.###",
		"header not json":   b64([]byte("{")) + "." + b64([]byte("{}")) + ".c2ln",
		"claims not json":   b64([]byte(`{"alg":"RS256","kid":"zz"}`)) + "." + b64([]byte("[")) + ".c2ln",
		"claims an array":   b64([]byte(`{"alg":"HS256"}`)) + "." + b64([]byte("[1]")) + ".c2ln",
		"no alg":            b64([]byte(`{"typ":"JWT"}`)) + "." + b64([]byte(`{"sub":"a"}`)) + ".c2ln",
		"alg not a string":  b64([]byte(`{"alg":1}`)) + "." + b64([]byte(`{"sub":"a"}`)) + ".c2ln",
		"kid not a string":  b64([]byte(`{"alg":"RS256","kid":7}`)) + "." + b64([]byte(`{"sub":"a"}`)) + ".c2ln",
		"bad signature b64": b64([]byte(`{"alg":"HS256"}`)) + "." + b64([]byte(`{"sub":"a"}`)) + ".***",
		"padded base64":     b64([]byte(`{"alg":"HS256"}`)) + "==." + b64([]byte(`{"sub":"a"}`)) + ".c2ln",
	}
	for name, tok := range garbage {
		start := time.Now()
		_, err := v.Verify(t.Context(), tok)
		require.ErrorIs(t, err, ErrInvalidToken, name)
		require.Less(t, time.Since(start), 500*time.Millisecond, name)
	}
	require.Equal(t, hits, srv.hits.Load(), "no garbage token reaches the identity provider")
}

func TestNewVerifierRefusesUselessConfig(t *testing.T) {
	t.Parallel()
	_, err := NewVerifier(t.Context(), VerifierConfig{Logger: quietLogger()})
	require.ErrorContains(t, err, "RECORDROOM_JWT_SECRET")
	for _, u := range []string{"not a url", "ftp://idp.example/jwks.json", "/relative/jwks.json", "https://",
		"http://idp.example/jwks.json", "http://10.0.0.1/jwks.json", "http://localhost.example/jwks.json"} {
		_, err = NewVerifier(t.Context(), VerifierConfig{JWKSURL: u, Logger: quietLogger()})
		require.ErrorContains(t, err, "JWKS URL", u)
	}
}

// Keys in the clear only from this machine; a JWKS without iss and aud checks is warned about.
func TestJWKSURLsAndTheirWarnings(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://localhost:9/jwks.json", "http://127.0.0.1:9/jwks.json", "http://[::1]:9/jwks.json",
		"http://idp.localhost/jwks.json", "https://idp.example/jwks.json"} {
		require.NoError(t, checkJWKSURL(u), u)
	}
	srv := newJWKSServer(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	newTestVerifier(t, VerifierConfig{JWKSURL: srv.url(), Issuer: "https://idp.example", Logger: log})
	require.Contains(t, logs.String(), "RECORDROOM_JWT_AUDIENCE")
	logs.Reset()
	newTestVerifier(t, VerifierConfig{JWKSURL: srv.url(), Issuer: "https://idp.example", Audience: "app", Logger: log})
	require.NotContains(t, logs.String(), "whatever application")
}

func TestRefusalErrorUnwrapsToCause(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	c := validClaims("alice")
	c["exp"] = time.Now().Add(-time.Hour).Unix()
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
	require.ErrorIs(t, err, jwt.ErrTokenExpired)
	var r *refusalError
	require.True(t, errors.As(err, &r))
	require.Equal(t, "token expired", r.reason)
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Bearer abc.def.ghi": "abc.def.ghi",
		"bearer abc":         "abc",
		"BEARER abc":         "abc",
		"Bearer   abc":       "abc",
		"  Bearer abc  ":     "abc",
		"":                   "",
		"Bearer":             "",
		"Bearer ":            "",
		"Bearer  ":           "",
		"Basic dXNlcjpwYXNz": "",
		"Bearerabc":          "",
		"abc":                "",
		"Bearer a b":         "",
		"Bearer a,Bearer b":  "",
		"Bearer a\tb":        "",
		"Token abc":          "",
		"Bearer\tabc":        "",
	}
	for in, want := range cases {
		require.Equal(t, want, BearerToken(in), "%q", in)
	}
}

// FuzzVerify feeds arbitrary strings to a verifier holding both a secret and a JWKS: whatever
// comes in, Verify must not panic and must either succeed or wrap ErrInvalidToken.
func FuzzVerify(f *testing.F) {
	srv := newJWKSServer(f)
	srv.setKeys(publicJWK(f, mustKey(f, rsaKeyA), "a", "RS256", "sig"))
	v := newTestVerifier(f, VerifierConfig{Secret: testSecret, JWKSURL: srv.url()})
	f.Add(sign(f, jwt.SigningMethodHS256, testSecret, "", validClaims("alice")))
	f.Add(sign(f, jwt.SigningMethodRS256, mustKey(f, rsaKeyA), "a", validClaims("alice")))
	f.Add(sign(f, jwt.SigningMethodRS256, mustKey(f, rsaKeyA), "", validClaims("alice")))
	f.Add(sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", validClaims("alice")))
	for _, s := range []string{"", "a.b", "a.b.c", "..", "!!!.@@@.###", strings.Repeat("x", 10<<10),
		"eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJSUzI1NiIsImtpZCI6MX0.e30.c2ln"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := v.Verify(t.Context(), tok)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidToken)
			require.Equal(t, Identity{}, id)
			return
		}
		require.NotEmpty(t, id.UserID)
		require.LessOrEqual(t, len(id.UserID), MaxSubjectBytes)
		require.False(t, id.ExpiresAt.IsZero())
	})
}

// The widget claim is a boundary: a valid id is kept, anything else refuses the token.
func TestWidgetClaim(t *testing.T) {
	t.Parallel()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret})
	c := validClaims("alice")
	c["widget"] = "w-1"
	id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
	require.NoError(t, err)
	require.Equal(t, "w-1", id.Widget)
	for _, bad := range []any{"", "a b", 7, map[string]any{}, strings.Repeat("w", 129)} {
		c["widget"] = bad
		_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
		requireRefused(t, err, "widget claim must be a widget id: 1–128 characters of A-Z a-z 0-9 . _ : -")
	}
	delete(c, "widget")
	id, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", c))
	require.NoError(t, err)
	require.Empty(t, id.Widget)
}
