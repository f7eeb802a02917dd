package files

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recordroom/recordroom/db"
)

// keyRoot is the prefix of every object this package writes; the sweep looks nowhere else, so
// a bucket shared with other data is safe.
const keyRoot = "rooms/"

// DefaultSweepGrace is a grace period comfortably longer than any upload of MaxBytes takes, for
// callers of Sweep with no better figure.
const DefaultSweepGrace = time.Hour

// SweepResult counts what a sweep found and did.
type SweepResult struct {
	Scanned int // objects listed under rooms/
	Deleted int // objects without a metadata row removed
	Aborted int // unfinished multipart uploads aborted
}

// Sweep removes the objects under rooms/ that have no metadata row and were last written more
// than olderThan ago, and aborts multipart uploads begun before then. These are what a crash or
// a failed clean-up between an upload's or a delete's two steps leaves behind. The grace period
// protects uploads in flight, whose object exists a moment before its row: it must be longer
// than an upload's commit can take (DefaultSweepGrace is plenty). Any replica may run it; each
// removal happens under the path's lock after checking again.
func (s *Service) Sweep(ctx context.Context, olderThan time.Duration) (SweepResult, error) {
	cutoff := s.cfg.Now().Add(-olderThan)
	var res SweepResult
	pages := s3.NewListObjectsV2Paginator(s.c.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(keyRoot),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return res, storeFailed("list objects", err)
		}
		for _, obj := range page.Contents {
			res.Scanned++
			if !aws.ToTime(obj.LastModified).Before(cutoff) {
				continue
			}
			removed, err := s.sweepObject(ctx, aws.ToString(obj.Key), cutoff)
			if err != nil {
				return res, err
			}
			if removed {
				res.Deleted++
			}
		}
	}
	aborted, err := s.abortStale(ctx, cutoff)
	res.Aborted = aborted
	return res, err
}

// sweepObject removes one old object if no row refers to it.
func (s *Service) sweepObject(ctx context.Context, key string, cutoff time.Time) (bool, error) {
	room, scopeKey, path, ok := parseKey(key)
	if !ok {
		s.removeObject(ctx, key) // no row can name it
		return true, nil
	}
	exists, err := s.db.FileExists(ctx, room, scopeKey, path)
	if err != nil || exists {
		return false, dbErr("look for file", err)
	}
	removed := false
	err = s.db.FileLocked(ctx, room, scopeKey, path, func(st db.Store) error {
		// Again under the lock: an upload may have finished since the listing.
		if exists, err := st.FileExists(ctx, room, scopeKey, path); err != nil || exists {
			return dbErr("look for file", err)
		}
		head, err := s.c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key)})
		if isMissing(err) {
			return nil
		}
		if err != nil {
			return storeFailed("check object", err)
		}
		if !aws.ToTime(head.LastModified).Before(cutoff) {
			return nil // written again since the listing: an upload in flight
		}
		s.removeObject(ctx, key)
		removed = true
		return nil
	})
	return removed, err
}

// dbErr is dbFailed for calls that may have succeeded.
func dbErr(doing string, err error) error {
	if err == nil {
		return nil
	}
	return dbFailed(doing, err)
}

// abortStale aborts the multipart uploads under rooms/ begun before cutoff: parts of uploads a
// crashed replica never finished nor aborted, which S3 keeps (and bills) until then.
func (s *Service) abortStale(ctx context.Context, cutoff time.Time) (int, error) {
	aborted := 0
	pages := s3.NewListMultipartUploadsPaginator(s.c.s3, &s3.ListMultipartUploadsInput{
		Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(keyRoot),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if s3Code(err) == "NoSuchUpload" {
			return aborted, nil // gofakes3's answer for a bucket that never had an upload
		}
		if err != nil {
			return aborted, storeFailed("list multipart uploads", err)
		}
		for _, u := range page.Uploads {
			if !aws.ToTime(u.Initiated).Before(cutoff) {
				continue
			}
			_, err := s.c.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(s.cfg.Bucket), Key: u.Key, UploadId: u.UploadId,
			})
			if err != nil && !isMissing(err) && s3Code(err) != "NoSuchUpload" {
				return aborted, storeFailed("abort multipart upload", err)
			}
			aborted++
		}
	}
	return aborted, nil
}
