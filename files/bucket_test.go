package files_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/internal/s3embed"
)

// EnsureBucket makes a missing bucket, accepts an existing one, and names the bucket when it
// can neither reach nor make it.
func TestEnsureBucket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := s3embed.Start(ctx, s3embed.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close()) })
	cfg := files.Config{
		Endpoint: store.Endpoint(), Bucket: "made-by-ensure", PathStyle: true,
		AccessKeyID: store.AccessKeyID(), SecretAccessKey: store.SecretAccessKey(),
	}
	svc, err := files.New(ctx, nil, cfg)
	require.NoError(t, err)
	require.NoError(t, svc.EnsureBucket(ctx))
	require.NoError(t, svc.EnsureBucket(ctx), "an existing bucket is fine")

	direct := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(store.Endpoint()), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: store.AccessKeyID(), SecretAccessKey: store.SecretAccessKey()}, nil
		}),
	})
	_, err = direct.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("made-by-ensure")})
	require.NoError(t, err)

	cfg.SecretAccessKey = "wrong"
	bad, err := files.New(ctx, nil, cfg)
	require.NoError(t, err)
	require.ErrorContains(t, bad.EnsureBucket(ctx), `bucket "made-by-ensure"`)
}

// A configuration without a bucket, with half a key pair or with a malformed endpoint is
// refused at once.
func TestConfigIsChecked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, cfg := range map[string]files.Config{
		"no bucket":       {Endpoint: "http://127.0.0.1:9000"},
		"half a key pair": {Bucket: "b", AccessKeyID: "id"},
		"bad endpoint":    {Bucket: "b", Endpoint: "127.0.0.1:9000"},
		"bad public url":  {Bucket: "b", PublicEndpoint: "ftp://x"},
	} {
		_, err := files.New(ctx, nil, cfg)
		require.Error(t, err, name)
	}
}
