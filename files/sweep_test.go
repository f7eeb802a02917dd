package files_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/protocol"
)

// putObject writes an object straight to the store, with no row: what a crash between an
// upload's two steps leaves.
func (e *env) putObject(t *testing.T, key string) {
	t.Helper()
	_, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(e.store.Bucket()), Key: aws.String(key), Body: bytes.NewReader([]byte("orphan")),
	})
	require.NoError(t, err)
}

// The sweep removes objects without a row once older than the grace period, and only those: a
// fresh orphan (an upload in flight) stays, so do files with rows and objects outside rooms/;
// stale multipart uploads are aborted.
func TestSweepRemovesOldOrphansOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)

	// Ten minutes ago by the store's clock (still within its signature skew).
	e.storeClock.Store(int64(-10 * time.Minute))
	e.putObject(t, "rooms/room-1/widgets/w1/old-orphan")
	e.putObject(t, "rooms/room-1/garbage")
	e.putObject(t, "elsewhere/old")
	old := e.upload(t, bob, "w1", self("old-file"), "kept")
	mpu, err := e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(e.store.Bucket()), Key: aws.String("rooms/room-1/widgets/w1/abandoned"),
	})
	require.NoError(t, err)
	e.storeClock.Store(0)
	e.putObject(t, "rooms/room-1/widgets/w1/fresh-orphan")
	fresh := e.upload(t, bob, "w1", self("fresh-file"), "kept too")

	res, err := e.svc.Sweep(ctx, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, files.SweepResult{Scanned: 5, Deleted: 2, Aborted: 1}, res)
	require.ElementsMatch(t, []string{
		"elsewhere/old", "rooms/room-1/widgets/w1/fresh-orphan",
		"rooms/room-1/widgets/w1/old-file", "rooms/room-1/widgets/w1/fresh-file",
	}, e.objects(t))
	require.Zero(t, e.pendingUploads(t), "upload %s aborted", aws.ToString(mpu.UploadId))
	require.Equal(t, "kept", e.download(t, bob, "w1", self(old.Path)))
	require.Equal(t, "kept too", e.download(t, bob, "w1", self(fresh.Path)))

	again, err := e.svc.Sweep(ctx, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, files.SweepResult{Scanned: 3}, again)
}

// A presigned URL stops working when it expires, and a URL altered to reach another file is
// refused: the gate checks both on the public path.
func TestPresignedURLExpiryAndTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hourAgo := func(c *files.Config) { c.Now = func() time.Time { return time.Now().Add(-time.Hour) } }
	e := newEnv(t, hourAgo)
	e.upload(t, bob, "w1", self("a.txt"), "a")
	e.upload(t, bob, "w1", self("b.txt"), "b")

	u, expires, err := e.svc.Presign(ctx, who(bob, room, "w1"), self("a.txt"))
	require.NoError(t, err)
	require.True(t, expires.Before(time.Now()), "signed an hour ago, valid five minutes")
	status, body := e.get(t, u)
	require.Equal(t, 403, status)
	require.Contains(t, body, "expired")

	fresh := newEnv(t)
	fresh.upload(t, bob, "w1", self("a.txt"), "a")
	fresh.upload(t, bob, "w1", self("b.txt"), "b")
	u, _, err = fresh.svc.Presign(ctx, who(bob, room, "w1"), self("a.txt"))
	require.NoError(t, err)
	status, _ = fresh.get(t, strings.Replace(u, "/a.txt?", "/b.txt?", 1))
	require.Equal(t, 403, status)
	status, body = fresh.get(t, u)
	require.Equal(t, 200, status)
	require.Equal(t, "a", body)
}

// Uploads and deletes of one path racing each other never leave a row without its object, nor
// a row describing other bytes than the object holds.
func TestRacingUploadsAndDeletesKeepRowsTrue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				content := fmt.Sprintf("writer %d, round %d", w, i)
				_, err := e.svc.Upload(ctx, who(bob, room, "w1"), self("contested"), strings.NewReader(content), "", -1)
				if w == 0 && i%2 == 1 {
					err = errors.Join(err, e.svc.Delete(ctx, who(bob, room, "w1"), self("contested")))
				}
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			code := protocol.ErrorOf(err).Code
			require.Contains(t, []protocol.Code{protocol.Conflict, protocol.NotFound}, code, "error: %v", err)
		}
	}

	f, err := e.svc.Stat(ctx, who(bob, room, "w1"), self("contested"))
	if protocol.ErrorOf(err).Code == protocol.NotFound {
		return // deleted last; an object left behind is the sweep's
	}
	require.NoError(t, err)
	head, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.store.Bucket()), Key: aws.String("rooms/room-1/widgets/w1/contested")})
	require.NoError(t, err, "a row always has its object")
	require.Equal(t, f.ETag, aws.ToString(head.ETag))
	require.Equal(t, f.Size, aws.ToInt64(head.ContentLength))
}
