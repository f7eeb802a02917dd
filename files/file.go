package files

import (
	"strings"

	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
)

// File is a file's metadata as clients see it: the wire shape itself (PROTOCOL.md §7).
type File = protocol.File

func fromDB(f db.File, scope Scope) File {
	return File{
		Path: f.Path, Scope: string(scope), Size: f.Size, ContentType: f.ContentType, ETag: f.ETag,
		CreatedBy: f.CreatedBy, UpdatedAt: protocol.Time{Time: f.UpdatedAt},
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
