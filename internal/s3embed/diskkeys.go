package s3embed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
)

// Names on disk. An S3 key is a flat string in which "a" and "a/b" can both exist; a file
// system cannot have a file and a folder of one name. So every key segment but the last becomes
// a folder whose name ends in dirSuffix, the last segment the object's file, and the sidecar
// that file's name plus metaSuffix. Escaped segments never contain '#', so none of the three
// kinds of name can equal another.
const (
	dirSuffix  = "#"
	metaSuffix = "#meta"
	// maxSegment keeps escaped names below the common 255-byte limit, suffix included.
	maxSegment = 200
)

// contentPath is the file holding an object's bytes.
func (d *disk) contentPath(bucket, key string) string {
	segs := strings.Split(key, "/")
	parts := make([]string, 0, len(segs)+1)
	parts = append(parts, d.bucketDir(bucket))
	for _, s := range segs[:len(segs)-1] {
		parts = append(parts, encodeSegment(s)+dirSuffix)
	}
	parts = append(parts, encodeSegment(segs[len(segs)-1]))
	return filepath.Join(parts...)
}

// metaPath is the object's sidecar.
func (d *disk) metaPath(bucket, key string) string { return d.contentPath(bucket, key) + metaSuffix }

// dirPath is the folder holding the objects whose keys start with the given whole segments.
func (d *disk) dirPath(bucket string, segs []string) string {
	parts := []string{d.bucketDir(bucket)}
	for _, s := range segs {
		parts = append(parts, encodeSegment(s)+dirSuffix)
	}
	return filepath.Join(parts...)
}

// encodeSegment turns one key segment into a portable file name: percent-escaped (so no '/',
// '#' or control character), ':' escaped for Windows, upper-case letters written as '^' and the
// lower-case letter (so "A" and "a" differ on case-insensitive file systems such as macOS's),
// "", "." and ".." made ordinary names, and an over-long result replaced by '!' and a hash.
// The mapping is one-to-one: '^', '!' and '%' never appear unescaped in its input's escaping.
func encodeSegment(s string) string {
	e := url.PathEscape(s)
	e = strings.ReplaceAll(e, ":", "%3A")
	var b strings.Builder
	for _, r := range e {
		if r >= 'A' && r <= 'Z' && !escapeDigit(&b) {
			b.WriteByte('^')
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	e = b.String()
	switch e {
	case "":
		e = "%"
	case ".", "..":
		e = strings.ReplaceAll(e, ".", "%2E")
	}
	if len(e) > maxSegment {
		sum := sha256.Sum256([]byte(s))
		e = "!" + hex.EncodeToString(sum[:])
	}
	return e
}

// escapeDigit tells whether the next rune written to b is a hex digit of a %XX escape, which
// keeps its case (url.PathEscape writes upper-case hex).
func escapeDigit(b *strings.Builder) bool {
	s := b.String()
	n := len(s)
	return (n >= 1 && s[n-1] == '%') || (n >= 2 && s[n-2] == '%')
}

// checkKey refuses keys S3 would refuse: empty, over 1024 bytes, or not UTF-8.
func checkKey(key string) error {
	if key == "" || len(key) > 1024 || !utf8.ValidString(key) {
		return gofakes3.ErrKeyTooLong
	}
	return nil
}
