package app

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadAppliesDefaults(t *testing.T) {
	t.Parallel()
	c, err := LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_JWT_SECRET": "s"}))
	require.NoError(t, err)
	require.Equal(t, Config{
		DatabaseURL: "postgres://x", Addr: ":8080", JWTSecret: "s", DataDir: "./.data",
		S3:          S3{Bucket: "recordroom", Region: "us-east-1"},
		MaxFileSize: 25 << 20, Migrate: true, DBWait: 30 * time.Second, LogLevel: slog.LevelInfo,
		PresignTTL: 5 * time.Minute, DBStatementTimeout: 30 * time.Second, MaxDocBytes: 16 << 20,
		QueryMaxCost: DefaultQueryMaxCost, MutationRate: DefaultMutationRate, MutationBurst: DefaultMutationBurst,
		MaxSocketsPerUser: DefaultMaxSocketsPerUser, MaxSocketsPerIP: DefaultMaxSocketsPerIP,
	}, c)
}

func TestLoadReadsEveryVariable(t *testing.T) {
	t.Parallel()
	schema := filepath.Join(t.TempDir(), "schema.json")
	require.NoError(t, os.WriteFile(schema, []byte(`{"collections":{}}`), 0o600))
	c, err := LoadConfig(env(map[string]string{
		"DATABASE_URL": "postgres://x", "RECORDROOM_ADDR": "127.0.0.1:9", "RECORDROOM_JWKS_URL": "https://id.example/jwks",
		"RECORDROOM_JWT_ISSUER": "https://id.example", "RECORDROOM_JWT_AUDIENCE": "recordroom",
		"RECORDROOM_SCHEMA": schema, "RECORDROOM_DATA_DIR": "/d", "RECORDROOM_S3_ENDPOINT": "http://s3:9000",
		"RECORDROOM_S3_BUCKET": "b", "RECORDROOM_S3_REGION": "eu-west-1", "RECORDROOM_S3_PATH_STYLE": "true",
		"RECORDROOM_MAX_FILE_BYTES": "1024", "RECORDROOM_MIGRATE": "false", "RECORDROOM_DB_WAIT": "2s",
		"RECORDROOM_LOG_LEVEL": "debug", "RECORDROOM_S3_PUBLIC_URL": "https://files.example",
		"RECORDROOM_PRESIGN_TTL": "1m", "RECORDROOM_LISTEN_DATABASE_URL": "postgres://direct",
		"RECORDROOM_DB_MAX_CONNS": "20", "RECORDROOM_DB_STATEMENT_TIMEOUT": "0", "RECORDROOM_MAX_DOC_BYTES": "2048",
		"RECORDROOM_QUERY_MAX_COST": "0", "RECORDROOM_QUERY_TIMEOUT": "5s", "RECORDROOM_FANOUT_SHARDS": "16",
		"RECORDROOM_CORS_ORIGINS": "https://app.example", "RECORDROOM_RATE_MUTATIONS": "2.5", "RECORDROOM_RATE_MUTATIONS_BURST": "7",
		"RECORDROOM_MAX_COMPACTIONS": "3", "RECORDROOM_MAX_SOCKETS_PER_USER": "4", "RECORDROOM_MAX_SOCKETS_PER_IP": "0",
		"RECORDROOM_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1/32",
	}))
	require.NoError(t, err)
	require.Equal(t, Config{
		DatabaseURL: "postgres://x", Addr: "127.0.0.1:9", JWKSURL: "https://id.example/jwks",
		JWTIssuer: "https://id.example", JWTAudience: "recordroom",
		Schema: []byte(`{"collections":{}}`), DataDir: "/d",
		S3:          S3{Endpoint: "http://s3:9000", PublicURL: "https://files.example", Bucket: "b", Region: "eu-west-1", PathStyle: true},
		MaxFileSize: 1024, Migrate: false, DBWait: 2 * time.Second, LogLevel: slog.LevelDebug,
		PresignTTL: time.Minute, ListenDatabaseURL: "postgres://direct", DBMaxConns: 20, MaxDocBytes: 2048,
		QueryTimeout: 5 * time.Second, FanoutShards: 16, CORSOrigins: []string{"https://app.example"},
		MutationRate: 2.5, MutationBurst: 7, MaxCompactions: 3, MaxSocketsPerUser: 4,
		TrustedProxies: []*net.IPNet{{IP: net.IP{10, 0, 0, 0}, Mask: net.CIDRMask(8, 32)}, {IP: net.IP{192, 0, 2, 1}, Mask: net.CIDRMask(32, 32)}},
	}, c)
}

func TestLoadNamesEveryProblem(t *testing.T) {
	t.Parallel()
	notJSON := filepath.Join(t.TempDir(), "schema.json")
	require.NoError(t, os.WriteFile(notJSON, []byte(`{`), 0o600))
	_, err := LoadConfig(env(map[string]string{
		"RECORDROOM_JWKS_URL": "ftp://x", "RECORDROOM_SCHEMA": notJSON, "RECORDROOM_S3_PATH_STYLE": "maybe",
		"RECORDROOM_MIGRATE": "nope", "RECORDROOM_MAX_FILE_BYTES": "-1", "RECORDROOM_DB_WAIT": "soon",
		"RECORDROOM_LOG_LEVEL": "loud", "RECORDROOM_PRESIGN_TTL": "0s", "RECORDROOM_DB_MAX_CONNS": "many",
		"RECORDROOM_DB_STATEMENT_TIMEOUT": "-1s", "RECORDROOM_QUERY_MAX_COST": "cheap", "RECORDROOM_QUERY_TIMEOUT": "-1s",
		"RECORDROOM_FANOUT_SHARDS": "0", "RECORDROOM_CORS_ORIGINS": "app.example",
		"RECORDROOM_RATE_MUTATIONS": "-1", "RECORDROOM_RATE_MUTATIONS_BURST": "0", "RECORDROOM_MAX_COMPACTIONS": "none",
		"RECORDROOM_MAX_SOCKETS_PER_USER": "-1", "RECORDROOM_TRUSTED_PROXIES": "10.0.0.1",
	}))
	require.Error(t, err)
	for _, want := range []string{"RECORDROOM_MAX_SOCKETS_PER_USER must", "RECORDROOM_TRUSTED_PROXIES must", "RECORDROOM_RATE_MUTATIONS must", "RECORDROOM_RATE_MUTATIONS_BURST must", "DATABASE_URL is not set", "RECORDROOM_JWKS_URL must be an http(s) URL",
		"is not valid JSON", "RECORDROOM_S3_PATH_STYLE", "RECORDROOM_MIGRATE", "RECORDROOM_MAX_FILE_BYTES",
		"RECORDROOM_DB_WAIT", "RECORDROOM_LOG_LEVEL", "RECORDROOM_PRESIGN_TTL", "RECORDROOM_DB_MAX_CONNS",
		"RECORDROOM_DB_STATEMENT_TIMEOUT", "RECORDROOM_QUERY_MAX_COST", "RECORDROOM_QUERY_TIMEOUT",
		"RECORDROOM_FANOUT_SHARDS", "RECORDROOM_CORS_ORIGINS", "RECORDROOM_MAX_COMPACTIONS"} {
		require.ErrorContains(t, err, want)
	}

	_, err = LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x"}))
	require.ErrorContains(t, err, "no token verification configured")
	_, err = LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_DEV": "false"}))
	require.ErrorContains(t, err, "no token verification configured", "only development mode makes a secret of its own")
	_, err = LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_JWT_SECRET": "s", "RECORDROOM_SCHEMA": "/no/such/file"}))
	require.ErrorContains(t, err, "RECORDROOM_SCHEMA")
}

// Development mode is off unless RECORDROOM_DEV is exactly true; there it needs no token
// settings (the server makes a secret of its own); any other spelling is an error, so that a
// typo never turns it on or silently off.
func TestLoadDevMode(t *testing.T) {
	t.Parallel()
	c, err := LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_JWT_SECRET": "s"}))
	require.NoError(t, err)
	require.False(t, c.Dev, "off by default")

	c, err = LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_DEV": "true"}))
	require.NoError(t, err, "no secret needed in development mode")
	require.True(t, c.Dev)
	require.Empty(t, c.JWTSecret, "the secret is made when the server starts, not when it reads its configuration")

	c, err = LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_JWT_SECRET": "s", "RECORDROOM_DEV": "false"}))
	require.NoError(t, err)
	require.False(t, c.Dev)

	for _, v := range []string{"1", "TRUE", "True", "yes", "on", " true", "t"} {
		_, err := LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://x", "RECORDROOM_JWT_SECRET": "s", "RECORDROOM_DEV": v}))
		require.ErrorContains(t, err, "RECORDROOM_DEV: want true or false", v)
	}
}
