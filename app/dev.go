package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Development mode (Config.Dev, RECORDROOM_DEV=true) is the one home of the conveniences that
// must never reach production by accident. `make run` turns it on; nothing else does. Each
// convenience checks Config.Dev where it is wired, in this package, so that the parts below
// (api, auth) never know about modes: they are given a secret, an origin rule.

// DevSecretFile is the name, under the data folder, of the development token secret; `make
// token` signs with the same file.
const DevSecretFile = "jwt-secret"

// devEnables says in the start-up warning what development mode turns on.
const devEnables = "a token secret of its own when none is configured (" + DevSecretFile +
	" in the data folder; make token SUB=alice mints a token); CORS for http(s)://localhost, " +
	"127.0.0.1 and [::1] on any port"

// announceDev warns, first thing, that the replica runs in development mode, so that a replica
// started this way by mistake says so in its first log line.
func announceDev(logger *slog.Logger) {
	logger.Warn("DEVELOPMENT MODE is on (RECORDROOM_DEV=true): never run it in production", "enables", devEnables)
}

// devSecret reads the development token secret under dataDir, creating it (0600, 32 random
// bytes in base64) the first time. Replicas sharing the folder agree on it: the file is written
// aside and linked into place, so a reader never sees half a secret and the first writer wins.
func devSecret(dataDir string, logger *slog.Logger) (string, error) {
	path := filepath.Join(dataDir, DevSecretFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err = createSecret(dataDir, path); err == nil {
			logger.Warn("development mode: created a development token secret", "file", path)
		}
		if err == nil || errors.Is(err, fs.ErrExist) {
			b, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return "", fmt.Errorf("development token secret: %w (check RECORDROOM_DATA_DIR, or set RECORDROOM_JWT_SECRET)", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("development token secret %s is empty: delete it to have a new one made", path)
	}
	logger.Warn("development mode: tokens are verified with the development secret", "file", path,
		"mint", "make token SUB=alice")
	return secret, nil
}

// createSecret writes a new secret to path, failing with fs.ErrExist when one is already there.
func createSecret(dataDir, path string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)                                  // never fails (crypto/rand)
	tmp, err := os.CreateTemp(dataDir, DevSecretFile+".*") // 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}
