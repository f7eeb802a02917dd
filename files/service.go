// Package files stores a room's files in S3 (any S3-compatible store) with their metadata in
// Postgres, under the scopes and access rules of PROTOCOL.md §7. REST handlers call it; it knows
// nothing of HTTP. docs/files.md describes the design.
//
// Consistency: S3 and Postgres share no transaction, so the order of writes keeps one invariant,
// no metadata row without its object. An upload writes the object first and the row after; a
// delete removes the row first and the object after. A crash between the two steps can leave an
// object without a row (never seen by clients, since every read starts at the row), which Sweep
// removes once it is older than a grace period. Upload, delete and sweep of one path take a lock
// on it (db.FileLocked) for their second step, and an upload checks that the object it wrote is
// still there before it writes the row.
package files

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// Service reads and writes files.
type Service struct {
	db  *db.DB
	cfg Config
	c   *clients
	log *slog.Logger
}

// New makes the service. It does not contact S3: see EnsureBucket.
func New(ctx context.Context, database *db.DB, cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c, err := newClients(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Service{db: database, cfg: cfg, c: c, log: cfg.Logger}, nil
}

// MaxBytes is the configured size limit of one file.
func (s *Service) MaxBytes() int64 { return s.cfg.MaxBytes }

// EnsureBucket makes the bucket when it is missing. Credentials allowed to use a bucket are often
// not allowed to create one: a refused create is fine as long as the bucket answers.
func (s *Service) EnsureBucket(ctx context.Context) error {
	bucket := aws.String(s.cfg.Bucket)
	if _, err := s.c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket}); err == nil {
		return nil
	}
	in := &s3.CreateBucketInput{Bucket: bucket}
	if s.cfg.Region != DefaultRegion && s.cfg.Region != "auto" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(s.cfg.Region),
		}
	}
	_, createErr := s.c.s3.CreateBucket(ctx, in)
	if createErr == nil || s3Code(createErr) == "BucketAlreadyOwnedByYou" {
		return nil
	}
	// Someone else made it meanwhile, or we may not create buckets: usable if it answers now.
	_, headErr := s.c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket})
	if headErr == nil {
		return nil
	}
	return fmt.Errorf("files: bucket %q does not answer (%v) and cannot be created: %w", s.cfg.Bucket, headErr, createErr)
}

// uploadIDMeta is the object metadata that tells an upload its own object from one a concurrent
// upload of the same path wrote.
const uploadIDMeta = "recordroom-upload"

// Upload stores body as the file ref names, replacing any file there, and records its metadata.
// length is the declared size, -1 when unknown; a declared size over the limit is refused
// before anything is read, and the limit is enforced while streaming: an upload that passes it,
// or whose body fails, is aborted and leaves no object and no row.
func (s *Service) Upload(ctx context.Context, who Requester, ref Ref,
	body io.Reader, ctype string, length int64,
) (File, error) {
	t, err := resolve(who, ref, true, false)
	if err != nil {
		return File{}, err
	}
	if length > s.cfg.MaxBytes {
		return File{}, s.tooLarge()
	}
	ct, ok := contentType(ctype)
	if !ok {
		return File{}, protocol.New(protocol.BadRequest, "content type %q is not a printable header value of at most 255 bytes", protocol.Clip(ctype))
	}
	id := newUploadID()
	lb := newLimitedBody(body, s.cfg.MaxBytes)
	_, err = s.c.uploader.Upload(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.cfg.Bucket), Key: aws.String(t.key), Body: lb,
		ContentType: aws.String(ct), Metadata: map[string]string{uploadIDMeta: id},
	})
	switch {
	case lb.tooLarge:
		return File{}, s.tooLarge()
	case lb.err != nil:
		return File{}, fmt.Errorf("read upload body: %w", lb.err)
	case err != nil && ctx.Err() != nil:
		return File{}, fmt.Errorf("upload cancelled: %w", ctx.Err())
	case err != nil:
		return File{}, storeFailed("upload object", err)
	}
	return s.commit(ctx, who.Caller, t, id, ct)
}

func (s *Service) tooLarge() error {
	return protocol.New(protocol.TooLarge, "files are limited to %d bytes", s.cfg.MaxBytes)
}

// commit writes the row of an uploaded object, under the path's lock and only if the object is
// still the one this upload wrote: a delete or sweep that ran between the two steps removed it,
// and a newer upload replaced it (and will write its own row).
func (s *Service) commit(ctx context.Context, caller access.Caller, t target, id, ct string) (File, error) {
	var f db.File
	err := s.db.FileLocked(ctx, t.room, t.scopeKey, t.path, func(st db.Store) error {
		head, err := s.c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(t.key)})
		if isMissing(err) || (err == nil && metaValue(head.Metadata, uploadIDMeta) != id) {
			return protocol.New(protocol.Conflict, "another upload or a delete of %q finished first; upload again", protocol.Clip(t.path))
		}
		if err != nil {
			return storeFailed("check uploaded object", err)
		}
		f, err = st.FileUpsert(ctx, db.File{
			Room: t.room, ScopeKey: t.scopeKey, Path: t.path, Size: aws.ToInt64(head.ContentLength),
			ContentType: ct, ETag: aws.ToString(head.ETag), CreatedBy: caller.UserID,
		})
		if err != nil {
			s.removeObject(ctx, t.key) // under the lock: nothing else wrote it meanwhile
			return dbFailed("record file", err)
		}
		return nil
	})
	if err != nil {
		return File{}, err
	}
	return fromDB(f, t.scope), nil
}

// metaValue reads user metadata whatever case the store gave its keys.
func metaValue(m map[string]string, key string) string {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// removeObject deletes an object that no row refers to; a failure only leaves it to the sweep.
func (s *Service) removeObject(ctx context.Context, key string) {
	ctx = context.WithoutCancel(ctx)
	_, err := s.c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key)})
	if err != nil && !isMissing(err) {
		s.log.Warn("files: could not delete an object without metadata; the sweep will", "key", key, "err", err)
	}
}

func newUploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
