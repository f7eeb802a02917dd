package files

import (
	"strings"
	"time"

	"github.com/recordroom/recordroom/db"
)

// File is a file's metadata as clients see it (PROTOCOL.md §7).
type File struct {
	Path        string `json:"path"`
	Scope       Scope  `json:"scope"`
	Size        int64  `json:"size"`
	ContentType string `json:"contentType"`
	// ETag is the object's entity tag as the store gives it, quotes included, as in an HTTP
	// ETag header.
	ETag      string `json:"etag"`
	CreatedBy string `json:"createdBy"`
	UpdatedAt Time   `json:"updatedAt"`
}

// Time renders as the contract's timestamps, UTC with milliseconds: "2026-11-27T10:00:00.123Z".
type Time time.Time

// TimeLayout is the contract's one timestamp format, the same as records.TimeLayout (a test
// holds them equal; files does not import the record service for one constant).
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON renders t in TimeLayout.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(TimeLayout) + `"`), nil
}

func fromDB(f db.File, scope Scope) File {
	return File{
		Path: f.Path, Scope: scope, Size: f.Size, ContentType: f.ContentType, ETag: f.ETag,
		CreatedBy: f.CreatedBy, UpdatedAt: Time(f.UpdatedAt),
	}
}

// DefaultContentType is kept for uploads that name none.
const DefaultContentType = "application/octet-stream"

// contentType checks a declared type: at most 255 bytes of printable ASCII (it becomes an HTTP
// header on download).
func contentType(ct string) (string, bool) {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return DefaultContentType, true
	}
	if len(ct) > 255 {
		return "", false
	}
	for i := 0; i < len(ct); i++ {
		if ct[i] < 0x20 || ct[i] > 0x7e {
			return "", false
		}
	}
	return ct, true
}
