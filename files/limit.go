package files

import (
	"errors"
	"io"
)

// errTooLarge ends the read of a body that passed the size limit.
var errTooLarge = errors.New("file exceeds the size limit")

// limitedBody passes a body through until it exceeds max bytes, then fails every read, which
// aborts the upload it feeds. It remembers why it stopped, however the uploader wraps the error.
type limitedBody struct {
	r        io.Reader
	left     int64 // bytes still allowed, plus one: reading that one means too large
	n        int64 // bytes passed on
	tooLarge bool
	err      error // the body's own read error, other than EOF
}

func newLimitedBody(r io.Reader, max int64) *limitedBody {
	return &limitedBody{r: r, left: max + 1}
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.tooLarge {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left == 0 {
		l.tooLarge = true
		return 0, errTooLarge
	}
	l.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		l.err = err
	}
	return n, err
}
