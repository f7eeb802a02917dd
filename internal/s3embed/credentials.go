package s3embed

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// credentialsFile holds the generated key pair in the data folder, so that a restarted server
// (and presigned URLs it handed out) keep working.
const credentialsFile = "credentials.json"

type storedCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// loadCredentials uses the configured pair, else the stored one, else makes and stores a new one.
func loadCredentials(dir, id, secret string) (aws.Credentials, error) {
	if id != "" || secret != "" {
		if id == "" || secret == "" {
			return aws.Credentials{}, errors.New("s3embed: give both the access key id and the secret, or neither")
		}
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, Source: "s3embed"}, nil
	}
	path := filepath.Join(dir, credentialsFile)
	c, err := readCredentials(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return c, err
	}
	if err := writeCredentials(dir, path); err != nil {
		return aws.Credentials{}, err
	}
	// Read back what is there: another process starting on the same folder may have won.
	return readCredentials(path)
}

func readCredentials(path string) (aws.Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return aws.Credentials{}, err
	}
	var sc storedCredentials
	if err := json.Unmarshal(b, &sc); err != nil || sc.AccessKeyID == "" || sc.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("s3embed: %s is damaged: delete it to make new credentials", path)
	}
	return aws.Credentials{AccessKeyID: sc.AccessKeyID, SecretAccessKey: sc.SecretAccessKey, Source: "s3embed"}, nil
}

// writeCredentials makes a random pair and links it into place only if no file is there, so the
// file is never seen half-written nor replaced.
func writeCredentials(dir, path string) error {
	id := make([]byte, 10)
	secret := make([]byte, 30)
	_, _ = rand.Read(id)
	_, _ = rand.Read(secret)
	b, err := json.Marshal(storedCredentials{
		AccessKeyID:     "RR" + base32.StdEncoding.EncodeToString(id),
		SecretAccessKey: base64.RawURLEncoding.EncodeToString(secret),
	})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "credentials-*")
	if err != nil {
		return fmt.Errorf("s3embed: store credentials: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("s3embed: store credentials: %w", err)
	}
	return nil
}
