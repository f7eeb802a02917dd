package s3embed

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// disk is the embedded store's gofakes3 backend: every object is a real file under root, named
// after its key, with a JSON sidecar holding its key, size, MD5 and headers.
//
// gofakes3's own s3afero backend was not enough here: it writes a PUT straight into the object's
// file (a failed or cut-off upload leaves a truncated object where the old one was), holds one
// lock while streaming, and cannot keep both "a" and "a/b" since a file and a folder cannot share
// a name. This backend writes to a temporary file and renames it into place, locks only around
// the renames, and gives folders and files distinct names (see keyPath).
type disk struct {
	root string // buckets/<bucket>/...
	tmp  string // temporary files, on the same file system so that rename is atomic
	now  func() time.Time

	// mu orders the two renames of a PUT against readers, so that a reader never pairs a new
	// file with old metadata. Streaming happens outside it.
	mu sync.RWMutex
}

var _ gofakes3.Backend = (*disk)(nil)

// objectMeta is an object's sidecar.
type objectMeta struct {
	Key     string            `json:"key"`
	Size    int64             `json:"size"`
	MD5     string            `json:"md5"`
	ModTime time.Time         `json:"modTime"`
	Headers map[string]string `json:"headers"`
}

func newDisk(dataDir string, now func() time.Time) (*disk, error) {
	d := &disk{root: filepath.Join(dataDir, "buckets"), tmp: filepath.Join(dataDir, "tmp"), now: now}
	// Temporary files left by a crash belong to no object.
	if err := os.RemoveAll(d.tmp); err != nil {
		return nil, fmt.Errorf("clear %s: %w", d.tmp, err)
	}
	for _, dir := range []string{d.root, d.tmp} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	return d, nil
}

func (d *disk) bucketDir(bucket string) string { return filepath.Join(d.root, bucket) }

func (d *disk) bucketExists(bucket string) bool {
	if gofakes3.ValidateBucketName(bucket) != nil {
		return false
	}
	st, err := os.Stat(d.bucketDir(bucket))
	return err == nil && st.IsDir()
}

// ListBuckets lists the bucket folders.
func (d *disk) ListBuckets() ([]gofakes3.BucketInfo, error) {
	entries, err := os.ReadDir(d.root)
	if err != nil {
		return nil, err
	}
	buckets := []gofakes3.BucketInfo{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || gofakes3.ValidateBucketName(e.Name()) != nil {
			continue
		}
		buckets = append(buckets, gofakes3.BucketInfo{Name: e.Name(), CreationDate: gofakes3.NewContentTime(info.ModTime())})
	}
	return buckets, nil
}

// CreateBucket makes a bucket's folder.
func (d *disk) CreateBucket(name string) error {
	if err := gofakes3.ValidateBucketName(name); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.Mkdir(d.bucketDir(name), 0o700); errors.Is(err, fs.ErrExist) {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	} else if err != nil {
		return err
	}
	return nil
}

// BucketExists tells whether the bucket's folder exists.
func (d *disk) BucketExists(name string) (bool, error) { return d.bucketExists(name), nil }

// DeleteBucket removes an empty bucket.
func (d *disk) DeleteBucket(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.bucketExists(name) {
		return gofakes3.BucketNotFound(name)
	}
	entries, err := os.ReadDir(d.bucketDir(name))
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	return os.Remove(d.bucketDir(name))
}

// ForceDeleteBucket removes a bucket and everything in it.
func (d *disk) ForceDeleteBucket(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.bucketExists(name) {
		return gofakes3.BucketNotFound(name)
	}
	return os.RemoveAll(d.bucketDir(name))
}

// HeadObject reads an object's metadata.
func (d *disk) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	meta, err := d.loadMeta(bucket, key)
	if err != nil {
		return nil, err
	}
	return meta.object(nil, io.NopCloser(eofReader{})), nil
}

// GetObject opens an object, or the requested range of it. The open file keeps its content even
// if a PUT renames a new file over it while the caller reads.
func (d *disk) GetObject(bucket, key string, rangeRequest *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	d.mu.RLock()
	meta, err := d.loadMeta(bucket, key)
	var f *os.File
	if err == nil {
		f, err = os.Open(d.contentPath(bucket, key))
	}
	d.mu.RUnlock()
	if err != nil {
		return nil, notFoundAs(err, key)
	}
	rng, err := rangeRequest.Range(meta.Size)
	if err != nil {
		f.Close()
		return nil, err
	}
	var body io.ReadCloser = f
	if rng != nil {
		if _, err := f.Seek(rng.Start, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(f, rng.Length), f}
	}
	return meta.object(rng, body), nil
}

func (m objectMeta) object(rng *gofakes3.ObjectRange, body io.ReadCloser) *gofakes3.Object {
	return &gofakes3.Object{Name: m.Key, Metadata: maps.Clone(m.Headers), Size: m.Size, Contents: body, Hash: m.hash(), Range: rng}
}

func (m objectMeta) hash() []byte {
	h, _ := hex.DecodeString(m.MD5)
	return h
}

// storedHeaders keeps what S3 keeps of a PUT's headers: the content headers, the user metadata
// (x-amz-meta-*) and gofakes3's Last-Modified; gofakes3 hands over every x-amz-* request header,
// which S3 would not echo on download.
func storedHeaders(h map[string]string) map[string]string {
	kept := make(map[string]string, len(h))
	for k, v := range h {
		if !strings.HasPrefix(k, "X-Amz-") || strings.HasPrefix(k, "X-Amz-Meta-") {
			kept[k] = v
		}
	}
	return kept
}

// loadMeta reads an object's sidecar; the caller holds mu.
func (d *disk) loadMeta(bucket, key string) (objectMeta, error) {
	if !d.bucketExists(bucket) {
		return objectMeta{}, gofakes3.BucketNotFound(bucket)
	}
	b, err := os.ReadFile(d.metaPath(bucket, key))
	if err != nil {
		return objectMeta{}, notFoundAs(err, key)
	}
	var m objectMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return objectMeta{}, fmt.Errorf("read metadata of %q: %w", key, err)
	}
	return m, nil
}

func notFoundAs(err error, key string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return gofakes3.KeyNotFound(key)
	}
	return err
}

// eofReader is an empty body.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// PutObject streams input into a temporary file, then renames it and its sidecar into place: an
// upload that fails midway leaves the previous object, if any, untouched.
func (d *disk) PutObject(bucket, key string, headers map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	var result gofakes3.PutObjectResult
	if !d.bucketExists(bucket) {
		return result, gofakes3.BucketNotFound(bucket)
	}
	if err := checkKey(key); err != nil {
		return result, err
	}
	if size < 0 {
		return result, gofakes3.ErrMissingContentLength
	}
	tmp, sum, err := d.writeTemp(input, size)
	if err != nil {
		return result, err
	}
	defer os.Remove(tmp) // a no-op once renamed
	meta := objectMeta{Key: key, Size: size, MD5: hex.EncodeToString(sum), ModTime: d.now().UTC(), Headers: storedHeaders(headers)}
	metaBytes, err := json.Marshal(meta)
	if err != nil {
		return result, err
	}
	return result, d.install(bucket, key, tmp, metaBytes, conditions)
}

// install renames a written object and its sidecar into place, if conditions allow.
func (d *disk) install(bucket, key, tmp string, meta []byte, conditions *gofakes3.PutConditions) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if conditions != nil {
		if err := gofakes3.CheckPutConditions(conditions, d.conditionInfo(bucket, key)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(d.contentPath(bucket, key)), 0o700); err != nil {
		return err
	}
	metaTmp, err := d.writeSmallTemp(meta)
	if err != nil {
		return err
	}
	defer os.Remove(metaTmp) // a no-op once renamed
	if err := os.Rename(tmp, d.contentPath(bucket, key)); err != nil {
		return err
	}
	return os.Rename(metaTmp, d.metaPath(bucket, key))
}

func (d *disk) conditionInfo(bucket, key string) *gofakes3.ConditionalObjectInfo {
	m, err := d.loadMeta(bucket, key)
	if err != nil {
		return &gofakes3.ConditionalObjectInfo{}
	}
	return &gofakes3.ConditionalObjectInfo{Exists: true, Hash: m.hash()}
}

// writeTemp copies input to a new temporary file, refusing a body shorter or longer than size.
func (d *disk) writeTemp(input io.Reader, size int64) (name string, sum []byte, err error) {
	f, err := os.CreateTemp(d.tmp, "put-*")
	if err != nil {
		return "", nil, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(input, size+1))
	if err != nil {
		return "", nil, err
	}
	if n != size {
		return "", nil, gofakes3.ErrIncompleteBody
	}
	return f.Name(), h.Sum(nil), nil
}

func (d *disk) writeSmallTemp(b []byte) (string, error) {
	name, _, err := d.writeTemp(bytes.NewReader(b), int64(len(b)))
	return name, err
}

// DeleteObject removes an object; a missing one is no error, as in S3.
func (d *disk) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.bucketExists(bucket) {
		return gofakes3.ObjectDeleteResult{}, gofakes3.BucketNotFound(bucket)
	}
	return gofakes3.ObjectDeleteResult{}, d.deleteLocked(bucket, key)
}

func (d *disk) deleteLocked(bucket, key string) error {
	if checkKey(key) != nil {
		return nil // no such object can exist
	}
	for _, p := range []string{d.metaPath(bucket, key), d.contentPath(bucket, key)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	// Empty folders would only slow listing down; a folder still in use refuses removal.
	stop := d.bucketDir(bucket)
	for dir := filepath.Dir(d.contentPath(bucket, key)); dir != stop && len(dir) > len(stop); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// DeleteMulti removes several objects, reporting each.
func (d *disk) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var result gofakes3.MultiDeleteResult
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.bucketExists(bucket) {
		return result, gofakes3.BucketNotFound(bucket)
	}
	for _, key := range keys {
		if err := d.deleteLocked(bucket, key); err != nil {
			result.Error = append(result.Error, gofakes3.ErrorResult{Code: gofakes3.ErrInternal, Message: err.Error(), Key: key})
			continue
		}
		result.Deleted = append(result.Deleted, gofakes3.ObjectID{Key: key})
	}
	return result, nil
}

// CopyObject copies through GetObject and PutObject.
func (d *disk) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(d, srcBucket, srcKey, dstBucket, dstKey, meta)
}
