package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func TestVerifyRS256AndES256ViaJWKS(t *testing.T) {
	t.Parallel()
	rsaKey, ec := mustKey(t, rsaKeyA), mustKey(t, ecKey)
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, rsaKey, "rsa-1", "RS256", "sig"), publicJWK(t, ec, "ec-1", "ES256", "sig"))
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url(), Issuer: "https://idp.example"})

	for _, tc := range []struct {
		method jwt.SigningMethod
		key    any
		kid    string
	}{
		{jwt.SigningMethodRS256, rsaKey, "rsa-1"},
		{jwt.SigningMethodES256, ec, "ec-1"},
		{jwt.SigningMethodRS256, rsaKey, ""}, // no kid: every key of the alg's type is tried
		{jwt.SigningMethodES256, ec, ""},
	} {
		c := validClaims("alice")
		c["iss"] = "https://idp.example"
		id, err := v.Verify(t.Context(), sign(t, tc.method, tc.key, tc.kid, c))
		require.NoError(t, err, "%s kid=%q", tc.method.Alg(), tc.kid)
		require.Equal(t, "alice", id.UserID)
	}
	require.EqualValues(t, 1, srv.hits.Load(), "known keys are served from the cache")
}

func TestVerifyJWKSRefusesMismatchedKeys(t *testing.T) {
	t.Parallel()
	rsaKey, ec := mustKey(t, rsaKeyA), mustKey(t, ecKey)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	srv := newJWKSServer(t)
	srv.setKeys(
		publicJWK(t, rsaKey, "rsa-1", "RS256", "sig"),
		publicJWK(t, ec, "ec-1", "ES256", "sig"),
		publicJWK(t, rsaKey, "rsa-noalg", "", "sig"),
		publicJWK(t, rsaKeyB2(t), "rsa-enc", "", "enc"),
		publicJWK(t, weak, "rsa-weak", "RS256", "sig"),
	)
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()})
	cases := []struct {
		name   string
		tok    string
		reason string
	}{
		{"ES256 naming an RSA key", sign(t, jwt.SigningMethodES256, ec, "rsa-noalg", validClaims("m")), "signing key does not fit alg"},
		{"ES256 naming an RS256 key", sign(t, jwt.SigningMethodES256, ec, "rsa-1", validClaims("m")), "unknown signing key"},
		{"RS256 naming an ES256 key", sign(t, jwt.SigningMethodRS256, rsaKey, "ec-1", validClaims("m")), "unknown signing key"},
		{"RS256 by another key", sign(t, jwt.SigningMethodRS256, rsaKeyB2(t), "rsa-1", validClaims("m")), "bad signature"},
		{"a key meant for encryption", sign(t, jwt.SigningMethodRS256, rsaKeyB2(t), "rsa-enc", validClaims("m")), "unknown signing key"},
		{"a 1024-bit key", sign(t, jwt.SigningMethodRS256, weak, "rsa-weak", validClaims("m")), "signing key does not fit alg"},
		{"expired RS256", sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", jwt.MapClaims{"sub": "a", "exp": time.Now().Add(-time.Hour).Unix()}), "token expired"},
	}
	for _, tc := range cases {
		_, err := v.Verify(t.Context(), tc.tok)
		requireRefused(t, err, tc.reason)
	}
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, rsaKey, "rsa-noalg", validClaims("a")))
	require.NoError(t, err, "a JWK without alg serves the alg its type fits")
}

func rsaKeyB2(t *testing.T) *rsa.PrivateKey { return mustKey(t, rsaKeyB) }

func TestVerifyUnknownKidRefreshesOnceAfterRotation(t *testing.T) {
	t.Parallel()
	keyA, keyB := mustKey(t, rsaKeyA), mustKey(t, rsaKeyB)
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, keyA, "a", "RS256", "sig"))
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()})
	require.EqualValues(t, 1, srv.hits.Load(), "NewVerifier fetches the keys once")

	oldTok := sign(t, jwt.SigningMethodRS256, keyA, "a", validClaims("alice"))
	_, err := v.Verify(t.Context(), oldTok)
	require.NoError(t, err)

	// The identity provider rotates: b in, a out. A burst of tokens signed with b all succeed,
	// after one fetch that the others wait for.
	srv.setKeys(publicJWK(t, keyB, "b", "RS256", "sig"))
	newTok := sign(t, jwt.SigningMethodRS256, keyB, "b", validClaims("bob"))
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = v.Verify(t.Context(), newTok) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, 2, srv.hits.Load())

	_, err = v.Verify(t.Context(), oldTok)
	requireRefused(t, err, "unknown signing key")
	require.EqualValues(t, 2, srv.hits.Load(), "a second unknown kid inside the gap causes no fetch")
}

func TestVerifyFloodOfUnknownKidsBarelyTouchesTheJWKS(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, key, "a", "RS256", "sig"))
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()})

	var wg sync.WaitGroup
	for i := range 100 {
		tok := sign(t, jwt.SigningMethodRS256, key, fmt.Sprintf("random-%d", i), validClaims("mallory"))
		wg.Go(func() {
			_, err := v.Verify(t.Context(), tok)
			if err == nil || err.Error() != "invalid token: unknown signing key" {
				t.Errorf("flood token %d: got %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range 100 {
		_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, fmt.Sprintf("again-%d", i), validClaims("mallory")))
		requireRefused(t, err, "unknown signing key")
	}
	require.LessOrEqual(t, srv.hits.Load(), int64(2), "the start-up fetch and at most one on demand")

	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "a", validClaims("alice")))
	require.NoError(t, err, "known keys keep working during a flood")
}

func TestVerifierStartsWhileJWKSIsDown(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, key, "a", "RS256", "sig"))
	srv.setDown(true)

	start := time.Now()
	v := newTestVerifier(t, VerifierConfig{Secret: testSecret, JWKSURL: srv.url(), JWKSMinRefreshGap: time.Nanosecond})
	require.Less(t, time.Since(start), 5*time.Second)
	require.EqualValues(t, 1, srv.hits.Load())

	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", validClaims("alice")))
	require.NoError(t, err, "HS256 does not depend on the JWKS")

	rsTok := sign(t, jwt.SigningMethodRS256, key, "a", validClaims("bob"))
	_, err = v.Verify(t.Context(), rsTok)
	requireRefused(t, err, "unknown signing key")
	noKid := sign(t, jwt.SigningMethodRS256, key, "", validClaims("bob"))
	_, err = v.Verify(t.Context(), noKid)
	requireRefused(t, err, "unknown signing key")

	srv.setDown(false)
	id, err := v.Verify(t.Context(), rsTok)
	require.NoError(t, err, "the keys are fetched on demand once the provider is back")
	require.Equal(t, "bob", id.UserID)
	_, err = v.Verify(t.Context(), noKid)
	require.NoError(t, err)
}

func TestVerifierFetchesKidlessKeysOnDemand(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, key, "a", "RS256", "sig"))
	srv.setDown(true)
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url()})
	srv.setDown(false)
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "", validClaims("bob")))
	require.NoError(t, err, "a token without kid also triggers the fetch when no key is known")
	require.EqualValues(t, 2, srv.hits.Load())
}

func TestVerifierStopsFetchingWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	srv := newJWKSServer(t)
	srv.setKeys(publicJWK(t, key, "a", "RS256", "sig"))
	ctx, cancel := context.WithCancel(t.Context())
	v, err := NewVerifier(ctx, VerifierConfig{JWKSURL: srv.url(), Logger: quietLogger(), JWKSRefreshInterval: time.Millisecond})
	require.NoError(t, err)
	cancel()
	hits := srv.hits.Load()
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "unknown", validClaims("a")))
	requireRefused(t, err, "unknown signing key")
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "a", validClaims("a")))
	require.NoError(t, err, "the cached keys still verify")
	require.LessOrEqual(t, srv.hits.Load(), hits+1, "at most a background refresh already under way")
	// goleak in TestMain checks that the refresher (1 ms interval) has ended.
}

// TestVerifyClerkShapedJWKS serves a key set exactly as Clerk does (RS256, use sig, kid, n, e)
// written by hand rather than by jwkset, and a Clerk-like session token.
func TestVerifyClerkShapedJWKS(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	b64 := base64.RawURLEncoding.EncodeToString
	srv := newJWKSServer(t)
	srv.setRaw(fmt.Appendf(nil, `{"keys":[{"use":"sig","kty":"RSA","kid":"ins_2abcDEF","alg":"RS256","n":%q,"e":%q}]}`,
		b64(key.N.Bytes()), b64(big.NewInt(int64(key.E)).Bytes())))
	frontend := strings.TrimPrefix(srv.URL, "http://")
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url(), Issuer: "https://" + frontend})

	now := time.Now()
	c := jwt.MapClaims{
		"azp": "http://localhost:3000", "exp": now.Add(60 * time.Second).Unix(), "iat": now.Unix(),
		"iss": "https://" + frontend, "nbf": now.Add(-10 * time.Second).Unix(), "sid": "sess_2xyz",
		"sub": "user_2abc",
	}
	id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "ins_2abcDEF", c))
	require.NoError(t, err)
	require.Equal(t, "user_2abc", id.UserID)
}

func TestJWKSResponseIsCapped(t *testing.T) {
	t.Parallel()
	key := mustKey(t, rsaKeyA)
	b64 := base64.RawURLEncoding.EncodeToString
	jwk := fmt.Sprintf(`{"kty":"RSA","kid":"a","alg":"RS256","n":%q,"e":"AQAB"}`, b64(key.N.Bytes()))
	srv := newJWKSServer(t)
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	// The same key set, under and over the cap: only the first is accepted.
	srv.setRaw([]byte(`{"pad":"` + strings.Repeat("x", 1000) + `","keys":[` + jwk + `]}`))
	v := newTestVerifier(t, VerifierConfig{JWKSURL: srv.url(), Logger: log, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "a", validClaims("a")))
	require.NoError(t, err)

	srv.setRaw([]byte(`{"pad":"` + strings.Repeat("x", maxJWKSBytes) + `","keys":[` + jwk + `]}`))
	v = newTestVerifier(t, VerifierConfig{JWKSURL: srv.url(), Logger: log, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "a", validClaims("a")))
	requireRefused(t, err, "unknown signing key")
	require.Contains(t, logs.String(), "too large")
}

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
