package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// Keys are generated once per test binary: RSA generation is slow under -race.
var (
	rsaKeyA = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	rsaKeyB = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	ecKey   = sync.OnceValues(func() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) })
)

func mustKey[K any](t testing.TB, f func() (K, error)) K {
	t.Helper()
	k, err := f()
	require.NoError(t, err)
	return k
}

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// validClaims are claims Verify accepts, for sub, issued now.
func validClaims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub": sub,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

// sign signs c with method and key, setting kid when it is not empty.
func sign(t testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newTestVerifier makes a Verifier that lives as long as the test.
func newTestVerifier(t testing.TB, cfg VerifierConfig) *Verifier {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	v, err := NewVerifier(t.Context(), cfg)
	require.NoError(t, err)
	return v
}

// jwksServer serves a JWK Set of real public keys, counts requests and can be taken down.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu   sync.Mutex
	keys []jwkset.JWK
	raw  []byte // served verbatim when set
	down bool
}

func newJWKSServer(t testing.TB) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	down, raw, keys := s.down, s.raw, append([]jwkset.JWK(nil), s.keys...)
	s.mu.Unlock()
	if down {
		http.Error(w, "identity provider unavailable", http.StatusServiceUnavailable)
		return
	}
	if raw == nil {
		set := jwkset.NewMemoryStorage()
		for _, k := range keys {
			if err := set.KeyWrite(r.Context(), k); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		var err error
		if raw, err = set.JSONPublic(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}

// url is where the key set is served, Clerk's path included.
func (s *jwksServer) url() string { return s.URL + "/.well-known/jwks.json" }

// setKeys replaces the served keys (a rotation).
func (s *jwksServer) setKeys(keys ...jwkset.JWK) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *jwksServer) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *jwksServer) setRaw(raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw = raw
}

// publicJWK marshals the public half of key as a signature JWK.
func publicJWK(t testing.TB, key any, kid string, alg jwkset.ALG, use jwkset.USE) jwkset.JWK {
	t.Helper()
	var pub any
	switch k := key.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
	case *ecdsa.PrivateKey:
		pub = &k.PublicKey
	default:
		t.Fatalf("unexpected key type %T", key)
	}
	jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: alg, USE: use},
	})
	require.NoError(t, err)
	return jwk
}
