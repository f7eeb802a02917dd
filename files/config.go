package files

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// Defaults for Config's optional fields.
const (
	DefaultRegion     = "us-east-1"
	DefaultPresignTTL = 5 * time.Minute
	DefaultMaxBytes   = 25 << 20
)

// Config locates the bucket and sets the limits.
type Config struct {
	// Endpoint is the S3 API's URL as this server reaches it (RECORDROOM_S3_ENDPOINT, or the
	// embedded store's); empty means AWS S3 itself.
	Endpoint string
	// PublicEndpoint is the base URL presigned URLs are made for, when clients reach the store
	// by another address than the server does (RECORDROOM_S3_PUBLIC_URL; for the embedded store
	// the API's own URL plus the path it mounts s3embed's PublicHandler at, e.g.
	// http://localhost:8080/s3). A path in it is kept in front of the bucket. Empty: Endpoint.
	PublicEndpoint string
	// Region signs requests; default us-east-1 (R2 wants "auto").
	Region string
	// Bucket holds every object; required.
	Bucket string
	// PathStyle addresses the bucket as endpoint/bucket/key rather than bucket.endpoint/key,
	// as MinIO and most S3-compatible stores want.
	PathStyle bool
	// AccessKeyID and SecretAccessKey, when both set, are static credentials; otherwise the
	// standard AWS chain applies (environment, shared files, instance or pod role).
	AccessKeyID, SecretAccessKey string
	// PresignTTL is how long a presigned download URL works; default 5 minutes.
	PresignTTL time.Duration
	// MaxBytes caps one file's size (RECORDROOM_MAX_FILE_BYTES); default 25 MiB.
	MaxBytes int64
	// Logger reports clean-up failures; nil discards.
	Logger *slog.Logger
	// Now is the clock presigned URLs are signed and the sweep's grace is measured with; nil
	// means time.Now. Tests move it.
	Now func() time.Time
}

// withDefaults fills the optional fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Bucket == "" {
		return c, errors.New("files: no bucket configured")
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return c, errors.New("files: give both the S3 access key id and its secret, or neither")
	}
	for _, e := range []string{c.Endpoint, c.PublicEndpoint} {
		if e == "" {
			continue
		}
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("files: S3 endpoint %q must be an http(s) URL", e)
		}
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.PresignTTL <= 0 {
		c.PresignTTL = DefaultPresignTTL
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}
