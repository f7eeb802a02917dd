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
