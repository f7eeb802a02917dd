package client

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// TokenSource returns the JWT to send. It is called before every connection attempt and every
// REST request, so a token that expires is replaced by a fresh one without any help; cache
// inside it when minting is expensive. An error fails that attempt or request.
type TokenSource func(ctx context.Context) (string, error)

// StaticToken is a TokenSource for a token that never changes (tests, scripts).
func StaticToken(token string) TokenSource {
	return func(context.Context) (string, error) { return token, nil }
}

// Clock is the time the reconnect loop waits on; tests inject a fake one to check the backoff
// schedule without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure a client. The zero value works for an open room without a token; every
// duration and size has a default.
type Options struct {
	// TokenSource gives the JWT; nil sends none (anonymous viewers, where the room allows them).
	TokenSource TokenSource
	// Widget names the calling widget (X-Widget-Id, ?widget=); it scopes files. Default "default".
	Widget string
	// HTTPClient serves REST requests; its *http.Transport's TLS and proxy settings are used for
	// the WebSocket too. Default http.DefaultClient.
	HTTPClient *http.Client
	// Logger receives connection events and failed fire-and-forget mutations. Default: none.
	Logger *slog.Logger

	// BackoffMin is the ceiling of the first reconnect delay (default 500ms); BackoffMax caps
	// every delay (default 30s). Delays are uniform in [0, min(BackoffMax, BackoffMin·2^n)].
	BackoffMin, BackoffMax time.Duration
	// StableAfter is how long a connection must last for the backoff to start over (default
	// 10s): a server that accepts and drops at once is retried ever more slowly.
	StableAfter time.Duration
	// HandshakeTimeout bounds one connection attempt up to the server's hello (default 10s).
	HandshakeTimeout time.Duration
	// PingInterval is how often the client pings; a connection silent for twice that is
	// dropped and replaced (default 25s).
	PingInterval time.Duration
	// WriteTimeout bounds one WebSocket write (default 10s).
	WriteTimeout time.Duration

	// MaxPending bounds the mutations waiting for their answer, queued or in flight (default
	// 1000): one more fails at once with ErrQueueFull.
	MaxPending int
	// MaxMessageBytes is the largest message the client sends (default 1 MiB, the server's
	// frame limit); a larger mutation fails at once with a too_large *Error.
	MaxMessageBytes int

	// OnStateChange, when set, is told of every state change and every failed reconnect
	// attempt, in order, from the client's connection goroutine: it must return quickly, and
	// must not call Close (which waits for that goroutine).
	OnStateChange func(StateChange)
	// OnError, when set, receives each failed fire-and-forget mutation as a *MutationError, from
	// the client's goroutines: it must return quickly and must not call Close. Failures are
	// logged either way.
	OnError func(error)

	// Clock and Rand drive the reconnect backoff; tests inject them. Rand returns a number in
	// [0, 1). Defaults: the real clock, math/rand/v2.
	Clock Clock
	Rand  func() float64
}

// withDefaults fills in every unset option.
func (o Options) withDefaults() Options {
	if o.Widget == "" {
		o.Widget = "default"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&o.BackoffMin, 500*time.Millisecond)
	setDefault(&o.BackoffMax, 30*time.Second)
	setDefault(&o.StableAfter, 10*time.Second)
	setDefault(&o.HandshakeTimeout, 10*time.Second)
	setDefault(&o.PingInterval, 25*time.Second)
	setDefault(&o.WriteTimeout, 10*time.Second)
	setDefault(&o.MaxPending, 1000)
	setDefault(&o.MaxMessageBytes, 1<<20)
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

func setDefault[T time.Duration | int](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
