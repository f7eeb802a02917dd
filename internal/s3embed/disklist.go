package s3embed

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// ListBucket lists a bucket's objects in key order, with S3's prefix, delimiter and paging rules
// (gofakes3.Prefix decides what is a common prefix). Keys come from the sidecars, so listing
// never has to decode file names.
func (d *disk) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	d.mu.RLock()
	metas, err := d.scan(bucket, prefix.Prefix)
	d.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	sort.Slice(metas, func(i, j int) bool { return metas[i].Key < metas[j].Key })

	list := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var count int64
	lastCommon := ""
	for i, m := range metas {
		if page.HasMarker && m.Key <= page.Marker {
			continue
		}
		if !prefix.Match(m.Key, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == lastCommon {
				continue // one entry per common prefix
			}
			list.AddPrefix(match.MatchedPart)
			lastCommon = match.MatchedPart
		} else {
			list.Add(&gofakes3.Content{
				Key: m.Key, LastModified: gofakes3.NewContentTime(m.ModTime),
				ETag: gofakes3.FormatETag(m.hash()), Size: m.Size,
			})
		}
		count++
		if page.MaxKeys > 0 && count >= page.MaxKeys {
			list.NextMarker = m.Key
			list.IsTruncated = i < len(metas)-1
			break
		}
	}
	return list, nil
}

// scan reads the sidecars of every object whose key may start with prefix, descending only into
// the folder of the prefix's whole segments. The caller holds mu.
func (d *disk) scan(bucket, prefix string) ([]objectMeta, error) {
	if !d.bucketExists(bucket) {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	var whole []string
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		whole = strings.Split(prefix[:i], "/")
	}
	start := d.dirPath(bucket, whole)
	metas := []objectMeta{}
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // no such folder: nothing under this prefix
			}
			return err
		}
		if e.IsDir() || !strings.HasSuffix(e.Name(), metaSuffix) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil // removed since the folder was read
		}
		var m objectMeta
		if json.Unmarshal(b, &m) == nil && strings.HasPrefix(m.Key, prefix) {
			metas = append(metas, m)
		}
		return nil
	})
	return metas, err
}
