package s3embed_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/internal/s3embed"
)

func put(t *testing.T, c *s3.Client, key, body, ctype string) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(s3embed.DefaultBucket), Key: aws.String(key),
		Body: bytes.NewReader([]byte(body)), ContentType: aws.String(ctype),
	})
	require.NoError(t, err)
}

func get(t *testing.T, c *s3.Client, key string) (string, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s3embed.DefaultBucket), Key: aws.String(key)})
	require.NoError(t, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(b), out
}

func listKeys(t *testing.T, c *s3.Client, prefix string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(s3embed.DefaultBucket), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	keys := []string{}
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// The SDK works against the store as against S3: put, get with content type, head, list by
// prefix, delete.
func TestSDKRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := start(t, s3embed.Config{})
	c := client(t, s)

	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.Bucket())})
	require.NoError(t, err, "Start makes the bucket")

	put(t, c, "rooms/r1/widgets/w/notes.txt", "hello", "text/plain")
	body, out := get(t, c, "rooms/r1/widgets/w/notes.txt")
	require.Equal(t, "hello", body)
	require.Equal(t, "text/plain", aws.ToString(out.ContentType))

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("rooms/r1/widgets/w/notes.txt")})
	require.NoError(t, err)
	require.Equal(t, int64(5), aws.ToInt64(head.ContentLength))

	require.Equal(t, []string{"rooms/r1/widgets/w/notes.txt"}, listKeys(t, c, "rooms/r1/"))
	require.Empty(t, listKeys(t, c, "rooms/r2/"))

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("rooms/r1/widgets/w/notes.txt")})
	require.NoError(t, err)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("rooms/r1/widgets/w/notes.txt")})
	require.Error(t, err)
	require.Empty(t, listKeys(t, c, ""))
}

// Keys a file system would confuse stay distinct objects: a key and a folder of the same name,
// keys differing only in case, dot segments, and characters that need escaping.
func TestKeysThatFileSystemsConfuse(t *testing.T) {
	t.Parallel()
	s := start(t, s3embed.Config{})
	c := client(t, s)
	keys := []string{
		"a", "a/b", "A", "a/B", "x/./y", "x/../y", "x//y", "sp ace/%41#?", "ünï/cödé", "colon:1", "a^b", "!x",
		strings.Repeat("L", 300), strings.Repeat("l", 300) + "/x", "a#", "a#meta",
	}
	for i, k := range keys {
		put(t, c, k, "body-"+string(rune('0'+i)), "text/plain")
	}
	for i, k := range keys {
		body, _ := get(t, c, k)
		require.Equal(t, "body-"+string(rune('0'+i)), body, "key %q", k)
	}
	want := append([]string(nil), keys...)
	sort.Strings(want)
	require.Equal(t, want, listKeys(t, c, ""))
	require.Equal(t, []string{"a/B", "a/b"}, listKeys(t, c, "a/"))
}

// A file larger than one part goes up as a multipart upload and comes back byte for byte.
func TestMultipartUpload(t *testing.T) {
	t.Parallel()
	s := start(t, s3embed.Config{})
	c := client(t, s)
	data := make([]byte, 11<<20)
	_, _ = rand.Read(data)
	up := manager.NewUploader(c, func(u *manager.Uploader) {
		u.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	_, err := up.Upload(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket()), Key: aws.String("big.bin"), Body: io.MultiReader(bytes.NewReader(data)),
	})
	require.NoError(t, err)
	body, _ := get(t, c, "big.bin")
	require.Equal(t, data, []byte(body))
}

// Objects and the generated key pair outlive a restart; the pair is stored readable by the
// owner only.
func TestRestartKeepsObjectsAndCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := s3embed.Start(context.Background(), s3embed.Config{DataDir: dir})
	require.NoError(t, err)
	put(t, client(t, first), "k", "kept", "text/plain")
	id, secret := first.AccessKeyID(), first.SecretAccessKey()
	require.NoError(t, first.Close())

	st, err := os.Stat(filepath.Join(dir, "credentials.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	second := start(t, s3embed.Config{DataDir: dir})
	require.Equal(t, id, second.AccessKeyID())
	require.Equal(t, secret, second.SecretAccessKey())
	body, _ := get(t, client(t, second), "k")
	require.Equal(t, "kept", body)
}

// Configured credentials replace generated ones, and nothing else signs.
func TestConfiguredCredentials(t *testing.T) {
	t.Parallel()
	s := start(t, s3embed.Config{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret-example"})
	require.Equal(t, "AKIDEXAMPLE", s.AccessKeyID())
	put(t, client(t, s), "k", "v", "text/plain")

	other := sdkClient(t, s.Endpoint(), "AKIDEXAMPLE", "another-secret")
	_, err := other.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String("k")})
	require.ErrorContains(t, err, "SignatureDoesNotMatch")

	_, err = s3embed.Start(context.Background(), s3embed.Config{DataDir: t.TempDir(), AccessKeyID: "only-id"})
	require.Error(t, err)
}
