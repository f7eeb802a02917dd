package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

const (
	defaultJWKSRefresh = time.Hour
	defaultJWKSGap     = 10 * time.Second
	// jwksFetchTimeout bounds every JWKS request, the one NewVerifier waits for included.
	jwksFetchTimeout = 10 * time.Second
	// maxJWKSBytes bounds a JWKS response (Clerk's is well under 2 KiB).
	maxJWKSBytes = 1 << 20
)

// newJWKS builds the key cache behind the Verifier: jwkset's HTTP storage holds the keys and
// refreshes them in the background until ctx ends; jwksStore in front of it adds the fetch on an
// unknown kid, one at a time and at most once per gap; keyfunc turns the stored keys into keys
// for golang-jwt (checking the JWK's alg against the token's).
func newJWKS(ctx context.Context, cfg VerifierConfig, log *slog.Logger) (keyfunc.Keyfunc, error) {
	interval := cfg.JWKSRefreshInterval
	if interval <= 0 {
		interval = defaultJWKSRefresh
	}
	gap := cfg.JWKSMinRefreshGap
	if gap <= 0 {
		gap = defaultJWKSGap
	}
	u := cfg.JWKSURL
	cache, err := jwkset.NewStorageFromHTTP(u, jwkset.HTTPClientStorageOptions{
		Client:                    jwksHTTPClient(ctx, cfg.HTTPClient),
		Ctx:                       ctx,
		HTTPTimeout:               jwksFetchTimeout,
		NoErrorReturnFirstHTTPReq: true,
		RefreshErrorHandler: func(ctx context.Context, err error) {
			log.WarnContext(ctx, "auth: fetch JWKS failed; keeping the keys already known", "url", u, "err", err)
		},
		RefreshInterval: interval,
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS storage: %w", err)
	}
	if keys, err := cache.KeyReadAll(ctx); err == nil && len(keys) > 0 {
		log.InfoContext(ctx, "auth: JWKS loaded", "url", u, "keys", len(keys))
	}
	// The refresher fetches on every miss it is asked about: jwksStore does the limiting, so
	// that waiting callers fail fast instead of queueing on a rate.Limiter.
	refresher, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{u: cache},
		RefreshUnknownKID: rate.NewLimiter(rate.Inf, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS client: %w", err)
	}
	store := &jwksStore{
		Storage:   cache,
		refresher: refresher,
		life:      ctx,
		gap:       gap,
		sem:       make(chan struct{}, 1),
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: store})
	if err != nil {
		return nil, fmt.Errorf("keyfunc: %w", err)
	}
	return kf, nil
}

// jwksStore is the cached key set with a guarded fetch on a miss: one fetch at a time (callers
// that miss meanwhile wait for it, then look again), and at most one per gap (a miss inside the
// gap fails at once). A flood of tokens with random kids thus costs the identity provider at
// most one request per gap per replica, while a burst of tokens signed with a freshly rotated
// key all succeed after a single fetch.
type jwksStore struct {
	jwkset.Storage                // the cache; reading it never touches the network
	refresher      jwkset.Storage // over the same cache: KeyRead fetches on a miss
	life           context.Context
	gap            time.Duration
	sem            chan struct{} // held while deciding on, and doing, a fetch
	last           time.Time     // last on-demand fetch; guarded by sem
}

var _ jwkset.Storage = (*jwksStore)(nil)

// KeyRead returns the signing key with kid, fetching the JWKS once if it is unknown.
func (s *jwksStore) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	jwk, err := s.cached(ctx, kid)
	if !errors.Is(err, jwkset.ErrKeyNotFound) {
		return jwk, err
	}
	err = s.fetchOnMiss(ctx, kid, func() bool {
		_, err := s.cached(ctx, kid)
		return err == nil
	})
	if err != nil {
		return jwkset.JWK{}, err
	}
	return s.cached(ctx, kid)
}

// KeyReadAll returns every signing key (for tokens without kid), fetching once if none is known
// (the first fetch may have failed).
func (s *jwksStore) KeyReadAll(ctx context.Context) ([]jwkset.JWK, error) {
	all, err := s.signingKeys(ctx)
	if err != nil || len(all) > 0 {
		return all, err
	}
	err = s.fetchOnMiss(ctx, "", func() bool {
		all, err := s.signingKeys(ctx)
		return err == nil && len(all) > 0
	})
	if err != nil {
		return nil, err
	}
	return s.signingKeys(ctx)
}

// cached reads kid from the cache; a key meant for something other than signatures is absent.
func (s *jwksStore) cached(ctx context.Context, kid string) (jwkset.JWK, error) {
	jwk, err := s.Storage.KeyRead(ctx, kid)
	if err != nil {
		return jwkset.JWK{}, err
	}
	if !forSignatures(jwk) {
		return jwkset.JWK{}, fmt.Errorf("%w: kid %q is not a signature key", jwkset.ErrKeyNotFound, kid)
	}
	return jwk, nil
}

func (s *jwksStore) signingKeys(ctx context.Context) ([]jwkset.JWK, error) {
	all, err := s.Storage.KeyReadAll(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]jwkset.JWK, 0, len(all))
	for _, jwk := range all {
		if forSignatures(jwk) {
			keys = append(keys, jwk)
		}
	}
	return keys, nil
}

// forSignatures: a key whose use says otherwise (enc) never verifies a token.
func forSignatures(jwk jwkset.JWK) bool {
	use := jwk.Marshal().USE
	return use == "" || use == jwkset.UseSig
}

// fetchOnMiss fetches the JWKS unless found() turns true while waiting for a fetch in flight, or
// the last on-demand fetch was less than gap ago. It returns an error only when ctx ends first.
func (s *jwksStore) fetchOnMiss(ctx context.Context, kid string, found func() bool) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.life.Done():
		return s.life.Err()
	}
	defer func() { <-s.sem }()
	if found() || s.life.Err() != nil {
		return nil
	}
	now := time.Now()
	if !s.last.IsZero() && now.Sub(s.last) < s.gap {
		return nil
	}
	s.last = now
	// The fetch ends with the caller's request or with the Verifier, whichever comes first.
	fctx, cancel := context.WithTimeout(ctx, jwksFetchTimeout)
	defer cancel()
	stop := context.AfterFunc(s.life, cancel)
	defer stop()
	// A miss in the refresher's cache makes it fetch; a failed fetch has been logged by the
	// storage's error handler and leaves the known keys in place.
	_, _ = s.refresher.KeyRead(fctx, kid)
	return nil
}

// jwksHTTPClient returns the client for JWKS fetches: cfg's (copied) or a private one whose idle
// connections close when ctx ends, both with responses capped at maxJWKSBytes.
func jwksHTTPClient(ctx context.Context, c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	} else {
		var tr *http.Transport
		if d, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = d.Clone()
		} else {
			tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
		}
		context.AfterFunc(ctx, tr.CloseIdleConnections)
		out = http.Client{Transport: tr, Timeout: jwksFetchTimeout}
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = cappedTransport{base: base}
	return &out
}

// cappedTransport limits response bodies, so a misbehaving JWKS endpoint cannot exhaust memory.
type cappedTransport struct{ base http.RoundTripper }

func (t cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = http.MaxBytesReader(nil, resp.Body, maxJWKSBytes)
	return resp, nil
}
