// Package s3embed is the S3-compatible store the server runs when no S3 endpoint is configured
// (development and tests), so that the production code path, aws-sdk-go-v2 against an S3 API, is
// the one in use everywhere.
//
// It serves gofakes3 on a loopback port, keeping objects as files under a data folder. Anyone on
// the machine can reach a loopback port, and gofakes3 checks no signature, so every request must
// carry a valid SigV4 signature (header or presigned query) made with the store's own key pair,
// which is generated once and kept in the data folder. Browsers cannot reach the loopback port:
// PublicHandler serves presigned GET and HEAD requests under a path of the API's own host.
package s3embed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/johannesboyne/gofakes3"
)

// DefaultBucket is the bucket made when Config names none.
const DefaultBucket = "recordroom"

// Config says where and how the store runs.
type Config struct {
	// DataDir is the store's own folder (the server gives it $RECORDROOM_DATA_DIR/s3); made if
	// missing.
	DataDir string
	// Bucket is made at start when missing; default DefaultBucket. PublicHandler serves only it.
	Bucket string
	// AccessKeyID and SecretAccessKey, when both set, are the key pair requests must be signed
	// with; when both are empty a pair is generated and kept in DataDir.
	AccessKeyID, SecretAccessKey string
	// Logger reports requests the gate refused, at debug level; nil discards.
	Logger *slog.Logger
	// Now is the clock signatures are checked against; nil means time.Now.
	Now func() time.Time
}

// Store is a running embedded store.
type Store struct {
	bucket   string
	creds    aws.Credentials
	verifier *verifier
	s3       http.Handler // gofakes3, with no checks of its own: reached only through a gate
	log      *slog.Logger
	srv      *http.Server
	endpoint string
	served   chan struct{}
}

// Start opens the data folder, makes the bucket and serves on 127.0.0.1 at a free port.
func Start(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("s3embed: no data folder")
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if err := gofakes3.ValidateBucketName(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("s3embed: bucket %q: %w", cfg.Bucket, err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("s3embed: %w", err)
	}
	creds, err := loadCredentials(cfg.DataDir, cfg.AccessKeyID, cfg.SecretAccessKey)
	if err != nil {
		return nil, err
	}
	backend, err := newDisk(cfg.DataDir, cfg.Now)
	if err != nil {
		return nil, fmt.Errorf("s3embed: %w", err)
	}
	if err := backend.CreateBucket(cfg.Bucket); err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		return nil, fmt.Errorf("s3embed: create bucket: %w", err)
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("s3embed: listen: %w", err)
	}
	// The gate checks the time; gofakes3's own skew check would only repeat it.
	fake := gofakes3.New(backend, gofakes3.WithTimeSkewLimit(0), gofakes3.WithTimeSource(clock(cfg.Now)))
	s := &Store{
		bucket: cfg.Bucket, creds: creds, verifier: newVerifier(creds, cfg.Now), s3: fake.Server(),
		log: cfg.Logger, endpoint: "http://" + ln.Addr().String(), served: make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler:           s.gate(s.s3),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // returns when Close closes the listener
	}()
	return s, nil
}

// Endpoint is the store's URL, http://127.0.0.1:port, for the server's own S3 client.
func (s *Store) Endpoint() string { return s.endpoint }

// Bucket is the bucket the store made.
func (s *Store) Bucket() string { return s.bucket }

// AccessKeyID is the key id requests must be signed with.
func (s *Store) AccessKeyID() string { return s.creds.AccessKeyID }

// SecretAccessKey is the secret requests must be signed with.
func (s *Store) SecretAccessKey() string { return s.creds.SecretAccessKey }

// Close stops serving, ending open connections, and waits for the server to return.
func (s *Store) Close() error {
	err := s.srv.Close()
	<-s.served
	return err
}

// clock adapts a time function to gofakes3's time source.
type clock func() time.Time

func (c clock) Now() time.Time                  { return c() }
func (c clock) Since(t time.Time) time.Duration { return c().Sub(t) }
