package files

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// s3Code is the S3 error code of err ("NoSuchKey", "AccessDenied", …), or "" when the store never
// answered.
func s3Code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// isMissing tells whether S3 answered that the object or bucket does not exist (HEAD answers a
// bare 404, which the SDK reports as NotFound).
func isMissing(err error) bool {
	switch s3Code(err) {
	case "NoSuchKey", "NotFound", "NoSuchBucket":
		return true
	}
	return false
}

// storeFailed reports an S3 call that failed: clients see "unavailable" and may retry; the cause
// stays in the chain for the log.
func storeFailed(doing string, err error) error {
	return fmt.Errorf("%w: %s: %w", protocol.New(protocol.Unavailable, "the file store is unavailable"), doing, err)
}

// dbFailed maps a database error: a missing row is the client's not_found; anything else keeps
// its cause, which protocol.ErrorOf turns into unavailable or internal.
func dbFailed(doing string, err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return protocol.New(protocol.NotFound, "no such file")
	}
	return fmt.Errorf("%s: %w", doing, err)
}
