package files

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recordroom/recordroom/protocol"
)

// MaxPathBytes is the longest file path (PROTOCOL.md §7).
const MaxPathBytes = 512

// CheckPath validates a file path: 1–512 bytes of UTF-8 without control characters or
// backslashes, '/'-separated segments none of which is empty, "." or "..". Such a path means
// the same thing to every S3 store, file system and URL, and cannot climb out of its scope.
func CheckPath(p string) error {
	if p == "" {
		return protocol.New(protocol.BadRequest, "file path is empty")
	}
	if err := checkPathChars(p); err != nil {
		return err
	}
	if strings.HasPrefix(p, "/") {
		return protocol.New(protocol.BadRequest, "file path %q must not start with /", protocol.Clip(p))
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return protocol.New(protocol.BadRequest, "file path %q has an empty segment", protocol.Clip(p))
		case ".", "..":
			return protocol.New(protocol.BadRequest, "file path %q has a %q segment", protocol.Clip(p), seg)
		}
	}
	return nil
}

// checkPrefix validates a listing prefix: a path's beginning, so it may be empty, end in '/' or
// stop mid-segment, but holds only what a path may hold.
func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	if err := checkPathChars(p); err != nil {
		return err
	}
	if strings.HasPrefix(p, "/") {
		return protocol.New(protocol.BadRequest, "prefix %q must not start with /", protocol.Clip(p))
	}
	return nil
}

func checkPathChars(p string) error {
	if len(p) > MaxPathBytes {
		return protocol.New(protocol.BadRequest, "file path is %d bytes, more than %d", len(p), MaxPathBytes)
	}
	if !utf8.ValidString(p) {
		return protocol.New(protocol.BadRequest, "file path is not valid UTF-8")
	}
	for _, r := range p {
		if unicode.IsControl(r) || r == '\\' || r == utf8.RuneError {
			return protocol.New(protocol.BadRequest, "file path %q holds a control character or a backslash", protocol.Clip(p))
		}
	}
	return nil
}
