package s3embed_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/recordroom/recordroom/internal/s3embed"
)

// Every store a test starts is closed by its cleanup, and every client's connections with it:
// no goroutine may outlive the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a store on a fresh folder, closed when t ends.
func start(t *testing.T, cfg s3embed.Config) *s3embed.Store {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	s, err := s3embed.Start(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// httpClient is a client whose idle connections are closed when t ends.
func httpClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sdkClient is an aws-sdk-go-v2 S3 client for endpoint, path-style, signing with id and secret.
func sdkClient(t *testing.T, endpoint, id, secret string) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider(id, secret, ""),
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 httpClient(t),
		RetryMaxAttempts:           1,
	})
}

// client is an SDK client for s with its own credentials.
func client(t *testing.T, s *s3embed.Store) *s3.Client {
	t.Helper()
	return sdkClient(t, s.Endpoint(), s.AccessKeyID(), s.SecretAccessKey())
}
