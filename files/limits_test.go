package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/protocol"
)

// untouchable fails the test if anyone reads it.
type untouchable struct{ t *testing.T }

func (u untouchable) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

// failingAfter yields n random bytes, then fails.
type failingAfter struct {
	r   io.Reader
	err error
}

func newFailingAfter(n int) *failingAfter {
	return &failingAfter{r: io.LimitReader(rand.Reader, int64(n)), err: errors.New("connection reset by peer")}
}

func (f *failingAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, f.err
	}
	return n, err
}

func maxBytes(n int64) func(*files.Config) { return func(c *files.Config) { c.MaxBytes = n } }

// requireNothingStored checks that no object, pending upload or row exists.
func requireNothingStored(t *testing.T, e *env) {
	t.Helper()
	require.Empty(t, e.objects(t))
	require.Zero(t, e.pendingUploads(t))
	require.Empty(t, e.paths(t, alice, "w1", self("")))
}

// A file over the limit is refused, whether its declared size says so (before reading a byte)
// or the stream passes the limit, in one part or after several: nothing is left behind.
func TestUploadOverTheLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const limit = 6<<20 + 1 // more than one 5 MiB part
	e := newEnv(t, maxBytes(limit))

	_, err := e.svc.Upload(ctx, who(bob, room, "w1"), self("declared"), untouchable{t}, "", limit+1)
	requireCode(t, err, protocol.TooLarge)

	for name, size := range map[string]int{"one part": limit + 1, "several parts": 2*limit + 5} {
		_, err := e.svc.Upload(ctx, who(bob, room, "w1"), self(name), io.LimitReader(rand.Reader, int64(size)), "", -1)
		requireCode(t, err, protocol.TooLarge)
	}
	requireNothingStored(t, e)

	exact := make([]byte, limit)
	_, _ = rand.Read(exact)
	f, err := e.svc.Upload(ctx, who(bob, room, "w1"), self("exact"), bytes.NewReader(exact), "", -1)
	require.NoError(t, err, "exactly the limit is allowed")
	require.Equal(t, int64(limit), f.Size)
	require.Equal(t, e.svc.MaxBytes(), int64(limit))
}

// A small limit is enforced on a body that lies about its length too.
func TestUploadLongerThanDeclared(t *testing.T) {
	t.Parallel()
	e := newEnv(t, maxBytes(10))
	_, err := e.svc.Upload(context.Background(), who(bob, room, "w1"), self("a"), strings.NewReader("eleven byte"), "", 3)
	requireCode(t, err, protocol.TooLarge)
	requireNothingStored(t, e)
}

// A body that fails midway, in the first part or after several, aborts the upload: no object,
// no pending parts, no row, and the error is not blamed on the size.
func TestUploadBodyFailsMidStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	for name, n := range map[string]int{"first part": 1 << 20, "after two parts": 11 << 20} {
		body := newFailingAfter(n)
		_, err := e.svc.Upload(ctx, who(bob, room, "w1"), self(name), body, "", -1)
		require.ErrorIs(t, err, body.err, name)
		require.NotEqual(t, protocol.TooLarge, protocol.ErrorOf(err).Code)
	}
	requireNothingStored(t, e)
}

// A failed overwrite leaves the earlier file as it was.
func TestFailedOverwriteKeepsTheOldFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, maxBytes(100))
	old := e.upload(t, bob, "w1", self("a.txt"), "old content")
	_, err := e.svc.Upload(ctx, who(bob, room, "w1"), self("a.txt"), newFailingAfter(50), "", -1)
	require.Error(t, err)
	_, err = e.svc.Upload(ctx, who(bob, room, "w1"), self("a.txt"), strings.NewReader(strings.Repeat("x", 101)), "", -1)
	requireCode(t, err, protocol.TooLarge)

	stat, err := e.svc.Stat(ctx, who(bob, room, "w1"), self("a.txt"))
	require.NoError(t, err)
	require.Equal(t, old, stat)
	require.Equal(t, "old content", e.download(t, bob, "w1", self("a.txt")))
}
