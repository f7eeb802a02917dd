package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/recordroom/recordroom/api"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/files"
	"github.com/recordroom/recordroom/internal/s3embed"
)

// SweepInterval is how often a replica removes objects an interrupted upload left without
// metadata (files.Sweep).
const SweepInterval = time.Hour

// fileStore is the file service and, without an S3 endpoint, the embedded store behind it.
type fileStore struct {
	files    *files.Service
	embedded *s3embed.Store // nil with a configured endpoint
}

// openFiles connects the file service to the configured S3 endpoint, or starts the embedded
// store under the data folder; addr is the address the API serves, for the embedded store's
// presigned URLs.
func openFiles(ctx context.Context, cfg Config, database *db.DB, addr net.Addr, logger *slog.Logger) (*fileStore, error) {
	fc := files.Config{
		Endpoint: cfg.S3.Endpoint, PublicEndpoint: cfg.S3.PublicURL, Region: cfg.S3.Region, Bucket: cfg.S3.Bucket,
		PathStyle: cfg.S3.PathStyle, PresignTTL: cfg.PresignTTL, MaxBytes: cfg.MaxFileSize, Logger: logger,
	}
	fs := &fileStore{}
	if cfg.S3.Endpoint == "" {
		store, err := s3embed.Start(ctx, s3embed.Config{
			DataDir: filepath.Join(cfg.DataDir, "s3"), Bucket: cfg.S3.Bucket, Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("start the embedded S3 store: %w (check RECORDROOM_DATA_DIR, or set RECORDROOM_S3_ENDPOINT)", err)
		}
		fs.embedded = store
		fc.Endpoint, fc.PathStyle = store.Endpoint(), true
		fc.AccessKeyID, fc.SecretAccessKey = store.AccessKeyID(), store.SecretAccessKey()
		if fc.PublicEndpoint == "" {
			fc.PublicEndpoint = localURL(addr) + api.FileStorePrefix
		}
		logger.Info("embedded S3 store", "endpoint", store.Endpoint(), "public", fc.PublicEndpoint)
	}
	var err error
	if fs.files, err = files.New(ctx, database, fc); err == nil {
		err = fs.files.EnsureBucket(ctx)
	}
	if err != nil {
		fs.Close()
		return nil, fmt.Errorf("%w (check RECORDROOM_S3_*)", err)
	}
	return fs, nil
}

// localURL is how a client on this machine reaches addr.
func localURL(addr net.Addr) string {
	port := "8080"
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = fmt.Sprint(tcp.Port)
	}
	return "http://localhost:" + port
}

// publicHandler is the embedded store's download side, nil with a configured endpoint.
func (fs *fileStore) publicHandler() http.Handler {
	if fs.embedded == nil {
		return nil
	}
	return fs.embedded.PublicHandler(api.FileStorePrefix)
}

// sweep runs files.Sweep every SweepInterval until ctx ends.
func (fs *fileStore) sweep(ctx context.Context, wg *sync.WaitGroup, logger *slog.Logger) {
	wg.Go(func() {
		tick := time.NewTicker(SweepInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			res, err := fs.files.Sweep(ctx, files.DefaultSweepGrace)
			if err != nil && ctx.Err() == nil {
				logger.Warn("file sweep failed", "err", err)
				continue
			}
			if res.Deleted > 0 || res.Aborted > 0 {
				logger.Info("file sweep", "deleted", res.Deleted, "aborted", res.Aborted, "scanned", res.Scanned)
			}
		}
	})
}

// Close stops the embedded store, if any.
func (fs *fileStore) Close() {
	if fs.embedded != nil {
		_ = fs.embedded.Close()
	}
}
