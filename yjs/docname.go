package yjs

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recordroom/recordroom/protocol"
)

// maxDocName is the longest document name the yjs tables hold.
const maxDocName = 256

// CheckDocName refuses names the tables cannot hold or that would not survive a round trip.
// Both transports check a name before they ask who may open it or touch storage.
func CheckDocName(name string) error {
	bad := name == "" || len(name) > maxDocName || !utf8.ValidString(name) ||
		strings.IndexFunc(name, unicode.IsControl) >= 0
	if bad {
		return protocol.New(protocol.BadRequest, "a document name is 1–256 bytes of UTF-8 without control characters")
	}
	return nil
}

// FieldDoc splits a field document's name, <collection>/<recordId>/<field>: three non-empty
// segments. Such a document belongs to its record: it follows the record's rules
// (records.Service.DocAccess) and is deleted with it (the RecordDeleteMany query matches the
// same names).
func FieldDoc(name string) (collection, id string, ok bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}
