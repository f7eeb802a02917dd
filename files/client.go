package files

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// clients are the S3 clients a Service uses: one for the server's own requests, one that
// presigns for the public endpoint, and a multipart uploader.
type clients struct {
	s3       *s3.Client
	presign  *s3.PresignClient
	uploader *manager.Uploader
}

// uploadPartSize is S3's smallest multipart part: an upload holds at most
// uploadConcurrency+1 parts in memory however large the file.
const (
	uploadPartSize    = manager.MinUploadPartSize
	uploadConcurrency = 2
)

func newClients(ctx context.Context, cfg Config) (*clients, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(cfg.Region),
		// Stores other than AWS (R2, older MinIO, gofakes3) refuse or mishandle the CRC
		// checksums the SDK sends by default: send them only where an operation requires one.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("files: load AWS configuration: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, endpointOptions(cfg.Endpoint, cfg.PathStyle))
	public := client
	if cfg.PublicEndpoint != "" {
		public = s3.NewFromConfig(awsCfg, endpointOptions(cfg.PublicEndpoint, cfg.PathStyle))
	}
	return &clients{
		s3: client,
		presign: s3.NewPresignClient(public, func(o *s3.PresignOptions) {
			o.Expires = cfg.PresignTTL
			o.Presigner = clockPresigner{now: cfg.Now, signer: v4.NewSigner(func(so *v4.SignerOptions) {
				so.DisableURIPathEscaping = true // as the SDK's own S3 presigner: S3 signs the path as sent
			})}
		}),
		uploader: manager.NewUploader(client, func(u *manager.Uploader) {
			u.PartSize = uploadPartSize
			u.Concurrency = uploadConcurrency
			u.LeavePartsOnError = false // abort: a failed upload leaves nothing behind
			u.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}),
	}, nil
}

// endpointOptions points a client at endpoint. The SDK's S3 endpoint rules keep a base URL's
// path in front of the bucket in path-style addressing, so http://host:8080/s3 yields
// http://host:8080/s3/<bucket>/<key>, which is what the embedded store's public handler serves.
func endpointOptions(endpoint string, pathStyle bool) func(*s3.Options) {
	return func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.UsePathStyle = pathStyle
	}
}

// clockPresigner signs presigned URLs at Config.Now instead of the SDK's clock, so that tests
// can make URLs that are already expired.
type clockPresigner struct {
	signer *v4.Signer
	now    func() time.Time
}

// PresignHTTP implements s3.HTTPPresignerV4.
func (p clockPresigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request,
	payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions),
) (string, http.Header, error) {
	return p.signer.PresignHTTP(ctx, creds, r, payloadHash, service, region, p.now(), optFns...)
}

var _ s3.HTTPPresignerV4 = clockPresigner{}
