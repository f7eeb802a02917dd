package files

import (
	"context"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recordroom/recordroom/protocol"
)

// MaxList is the most files one List returns.
const MaxList = 10000

// Stat reads one file's metadata.
func (s *Service) Stat(ctx context.Context, who Requester, ref Ref) (File, error) {
	t, err := resolve(who, ref, false, false)
	if err != nil {
		return File{}, err
	}
	f, err := s.db.FileGet(ctx, t.room, t.scopeKey, t.path)
	if err != nil {
		return File{}, dbFailed("get file", err)
	}
	return fromDB(f, t.scope), nil
}

// Presign returns a URL that downloads the file without credentials until expires, made for
// Config.PublicEndpoint (else Endpoint). The metadata row is checked first: a file the database
// does not know is not found, whatever S3 holds.
func (s *Service) Presign(ctx context.Context, who Requester, ref Ref) (url string, expires time.Time, err error) {
	t, err := resolve(who, ref, false, false)
	if err != nil {
		return "", time.Time{}, err
	}
	if _, err := s.db.FileGet(ctx, t.room, t.scopeKey, t.path); err != nil {
		return "", time.Time{}, dbFailed("get file", err)
	}
	expires = s.cfg.Now().Add(s.cfg.PresignTTL)
	req, err := s.c.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(t.key)})
	if err != nil {
		return "", time.Time{}, storeFailed("presign download", err)
	}
	return req.URL, expires, nil
}

// Open streams the file's content through the server (the proxy download); the caller closes
// the reader.
func (s *Service) Open(ctx context.Context, who Requester, ref Ref) (io.ReadCloser, File, error) {
	t, err := resolve(who, ref, false, false)
	if err != nil {
		return nil, File{}, err
	}
	f, err := s.db.FileGet(ctx, t.room, t.scopeKey, t.path)
	if err != nil {
		return nil, File{}, dbFailed("get file", err)
	}
	out, err := s.c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(t.key)})
	if isMissing(err) {
		return nil, File{}, protocol.New(protocol.NotFound, "no such file")
	}
	if err != nil {
		return nil, File{}, storeFailed("download object", err)
	}
	return out.Body, fromDB(f, t.scope), nil
}

// List returns the metadata of a scope's files whose path starts with ref.Path, ordered by path
// (bytewise), at most MaxList of them. It reads the database only.
func (s *Service) List(ctx context.Context, who Requester, ref Ref) ([]File, error) {
	t, err := resolve(who, ref, false, true)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.FileList(ctx, t.room, t.scopeKey, ref.Path, MaxList)
	if err != nil {
		return nil, dbFailed("list files", err)
	}
	out := make([]File, len(rows))
	for i, r := range rows {
		out[i] = fromDB(r, t.scope)
	}
	return out, nil
}
