// config reads RecordRoom's configuration from the environment. Every variable is
// documented in the README with its default.
package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the server's configuration.
type Config struct {
	DatabaseURL string // DATABASE_URL
	// ListenDatabaseURL is a direct session connection for LISTEN and migrations, for when
	// DATABASE_URL goes through a transaction-mode pooler; "" uses DATABASE_URL.
	ListenDatabaseURL  string        // RECORDROOM_LISTEN_DATABASE_URL
	DBMaxConns         int32         // RECORDROOM_DB_MAX_CONNS; 0: pgx's default
	FanoutShards       int           // RECORDROOM_FANOUT_SHARDS; 0: 2 × GOMAXPROCS
	DBStatementTimeout time.Duration // RECORDROOM_DB_STATEMENT_TIMEOUT; 0: the server's own
	// MutationRate (RECORDROOM_RATE_MUTATIONS, per second) and MutationBurst
	// (RECORDROOM_RATE_MUTATIONS_BURST) bound one user's creates, puts and removes in one room,
	// per replica; 0: no limit.
	MutationRate  float64
	MutationBurst int
	// QueryMaxCost (RECORDROOM_QUERY_MAX_COST) refuses list queries and subscriptions that no
	// index narrows when the planner's cost estimate is above it; 0: no cost check.
	QueryMaxCost float64
	// QueryTimeout (RECORDROOM_QUERY_TIMEOUT) cancels a list query or subscription load that
	// runs longer, answering `limit`; 0: only RECORDROOM_DB_STATEMENT_TIMEOUT applies.
	QueryTimeout time.Duration
	Addr         string        // RECORDROOM_ADDR
	JWTSecret    string        // RECORDROOM_JWT_SECRET (HS256)
	JWKSURL      string        // RECORDROOM_JWKS_URL (RS256/ES256)
	JWTIssuer    string        // RECORDROOM_JWT_ISSUER: required iss, when set
	JWTAudience  string        // RECORDROOM_JWT_AUDIENCE: required aud, when set
	Schema       []byte        // contents of the file RECORDROOM_SCHEMA names; nil for none
	DataDir      string        // RECORDROOM_DATA_DIR
	S3           S3            // RECORDROOM_S3_*
	MaxFileSize  int64         // RECORDROOM_MAX_FILE_BYTES
	PresignTTL   time.Duration // RECORDROOM_PRESIGN_TTL
	MaxDocBytes  int64         // RECORDROOM_MAX_DOC_BYTES: the largest stored Yjs document
	Migrate      bool          // RECORDROOM_MIGRATE
	DBWait       time.Duration // RECORDROOM_DB_WAIT
	LogLevel     slog.Level    // RECORDROOM_LOG_LEVEL
	// MaxCompactions (RECORDROOM_MAX_COMPACTIONS) bounds the Yjs compactions running at once on
	// this replica; 0: yjs's default.
	MaxCompactions int
	// Dev is development mode (RECORDROOM_DEV=true, which make run sets): the development token
	// secret and localhost CORS. Never on in production; see dev.go.
	Dev bool
	// MaxSocketsPerUser and MaxSocketsPerIP (RECORDROOM_MAX_SOCKETS_PER_USER, …_PER_IP) bound
	// the sockets open on one replica per user and per client address; 0: no limit.
	MaxSocketsPerUser, MaxSocketsPerIP int
	// TrustedProxies (RECORDROOM_TRUSTED_PROXIES, comma-separated CIDRs) are the proxies whose
	// X-Forwarded-For names the client's address; without them the connection's own address
	// counts and forwarded headers are ignored.
	TrustedProxies []*net.IPNet
	// CORSOrigins (RECORDROOM_CORS_ORIGINS) are the browser origins allowed to call the API and
	// open WebSockets; "*" is any. Empty: no CORS (development mode adds local pages).
	CORSOrigins []string
}

// S3 locates the file store. With Endpoint empty the server runs an embedded S3-compatible store.
type S3 struct {
	Endpoint string
	// PublicURL is the base URL presigned URLs are made for, when clients reach the store by
	// another address than the server does; with the embedded store, the API's URL plus /s3.
	PublicURL string
	Bucket    string
	Region    string
	PathStyle bool
}

// Defaults for the optional variables.
const (
	DefaultAddr        = ":8080"
	DefaultDataDir     = "./.data"
	DefaultBucket      = "recordroom"
	DefaultRegion      = "us-east-1"
	DefaultMaxFileSize = 25 << 20
	DefaultDBWait      = 30 * time.Second
	DefaultPresignTTL  = 5 * time.Minute
	DefaultMaxDocBytes = 16 << 20
	// DefaultStatementTimeout stops a runaway query from holding a connection for ever; set it
	// to 0 behind poolers that refuse the statement_timeout startup parameter (docs/operations.md).
	DefaultStatementTimeout = 30 * time.Second
	// DefaultQueryMaxCost is generous: roughly a full scan and sort of a collection of a few
	// hundred thousand small records (docs/operations.md); any collection of a few thousand
	// passes whatever its query.
	DefaultQueryMaxCost = 100000
	// DefaultMutationRate and DefaultMutationBurst: far above what a person clicking and typing
	// sends (a burst of 500 is a bulk import's first page), low enough that one script cannot
	// take a replica's write path for itself.
	DefaultMutationRate  = 100
	DefaultMutationBurst = 500
	// DefaultMaxSocketsPerUser and DefaultMaxSocketsPerIP: many tabs and widgets of one person,
	// an office behind one address; an idle socket costs about 20 KB (docs/performance.md).
	DefaultMaxSocketsPerUser = 100
	DefaultMaxSocketsPerIP   = 1000
)

// LoadConfig reads the configuration through getenv (os.Getenv in production). Every problem found is
// reported, each naming its variable and what to do.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:       getenv("DATABASE_URL"),
		ListenDatabaseURL: getenv("RECORDROOM_LISTEN_DATABASE_URL"),
		Addr:              or(getenv("RECORDROOM_ADDR"), DefaultAddr),
		JWTSecret:         getenv("RECORDROOM_JWT_SECRET"),
		JWKSURL:           getenv("RECORDROOM_JWKS_URL"),
		JWTIssuer:         getenv("RECORDROOM_JWT_ISSUER"),
		JWTAudience:       getenv("RECORDROOM_JWT_AUDIENCE"),
		DataDir:           or(getenv("RECORDROOM_DATA_DIR"), DefaultDataDir),
		S3: S3{
			Endpoint:  getenv("RECORDROOM_S3_ENDPOINT"),
			PublicURL: getenv("RECORDROOM_S3_PUBLIC_URL"),
			Bucket:    or(getenv("RECORDROOM_S3_BUCKET"), DefaultBucket),
			Region:    or(getenv("RECORDROOM_S3_REGION"), DefaultRegion),
		},
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.DatabaseURL == "" {
		fail("DATABASE_URL is not set: set it to a postgres:// URL (make run starts a local database for you)")
	}
	var err error
	if c.Dev, err = strictBool(getenv("RECORDROOM_DEV")); err != nil {
		fail("RECORDROOM_DEV: %v", err)
	}
	// In development mode the server makes a secret of its own (devSecret); anywhere else a
	// replica that cannot verify tokens is a mistake to stop at.
	if c.JWTSecret == "" && c.JWKSURL == "" && !c.Dev {
		fail("no token verification configured: set RECORDROOM_JWT_SECRET (HS256) or RECORDROOM_JWKS_URL (RS256/ES256)")
	}
	if c.JWKSURL != "" && !strings.HasPrefix(c.JWKSURL, "https://") && !strings.HasPrefix(c.JWKSURL, "http://") {
		fail("RECORDROOM_JWKS_URL must be an http(s) URL, got %q", c.JWKSURL)
	}
	if path := getenv("RECORDROOM_SCHEMA"); path != "" {
		b, err := os.ReadFile(path)
		switch {
		case err != nil:
			fail("RECORDROOM_SCHEMA: %v", err)
		case !json.Valid(b):
			fail("RECORDROOM_SCHEMA: %s is not valid JSON", path)
		default:
			c.Schema = b
		}
	}
	if c.S3.PathStyle, err = parseBool(getenv("RECORDROOM_S3_PATH_STYLE"), false); err != nil {
		fail("RECORDROOM_S3_PATH_STYLE: %v", err)
	}
	if c.Migrate, err = parseBool(getenv("RECORDROOM_MIGRATE"), true); err != nil {
		fail("RECORDROOM_MIGRATE: %v", err)
	}
	c.MaxDocBytes = DefaultMaxDocBytes
	if v := getenv("RECORDROOM_MAX_DOC_BYTES"); v != "" {
		if c.MaxDocBytes, err = strconv.ParseInt(v, 10, 64); err != nil || c.MaxDocBytes <= 0 {
			fail("RECORDROOM_MAX_DOC_BYTES must be a positive number of bytes, got %q", v)
		}
	}
	if v := getenv("RECORDROOM_MAX_COMPACTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1024 {
			fail("RECORDROOM_MAX_COMPACTIONS must be a number from 1 to 1024, got %q", v)
		}
		c.MaxCompactions = n
	}
	c.MaxFileSize = DefaultMaxFileSize
	if v := getenv("RECORDROOM_MAX_FILE_BYTES"); v != "" {
		if c.MaxFileSize, err = strconv.ParseInt(v, 10, 64); err != nil || c.MaxFileSize <= 0 {
			fail("RECORDROOM_MAX_FILE_BYTES must be a positive number of bytes, got %q", v)
		}
	}
	if c.DBWait, err = duration(getenv("RECORDROOM_DB_WAIT"), DefaultDBWait); err != nil {
		fail("RECORDROOM_DB_WAIT: %v", err)
	}
	if c.PresignTTL, err = duration(getenv("RECORDROOM_PRESIGN_TTL"), DefaultPresignTTL); err != nil || c.PresignTTL == 0 {
		fail("RECORDROOM_PRESIGN_TTL must be a positive duration such as 5m, got %q", getenv("RECORDROOM_PRESIGN_TTL"))
	}
	if c.DBStatementTimeout, err = duration(getenv("RECORDROOM_DB_STATEMENT_TIMEOUT"), DefaultStatementTimeout); err != nil {
		fail("RECORDROOM_DB_STATEMENT_TIMEOUT: %v", err)
	}
	c.QueryMaxCost = DefaultQueryMaxCost
	if v := getenv("RECORDROOM_QUERY_MAX_COST"); v != "" {
		if c.QueryMaxCost, err = strconv.ParseFloat(v, 64); err != nil || c.QueryMaxCost < 0 {
			fail("RECORDROOM_QUERY_MAX_COST must be a planner cost such as 100000 (0: no limit), got %q", v)
		}
	}
	c.MutationRate, c.MutationBurst = DefaultMutationRate, DefaultMutationBurst
	if v := getenv("RECORDROOM_RATE_MUTATIONS"); v != "" {
		if c.MutationRate, err = strconv.ParseFloat(v, 64); err != nil || c.MutationRate < 0 {
			fail("RECORDROOM_RATE_MUTATIONS must be mutations per second per user and room, such as 100 (0: no limit), got %q", v)
		}
	}
	if v := getenv("RECORDROOM_RATE_MUTATIONS_BURST"); v != "" {
		if c.MutationBurst, err = strconv.Atoi(v); err != nil || c.MutationBurst < 1 {
			fail("RECORDROOM_RATE_MUTATIONS_BURST must be a positive number of mutations, got %q", v)
		}
	}
	if c.QueryTimeout, err = duration(getenv("RECORDROOM_QUERY_TIMEOUT"), 0); err != nil {
		fail("RECORDROOM_QUERY_TIMEOUT: %v", err)
	}
	if v := getenv("RECORDROOM_FANOUT_SHARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1024 {
			fail("RECORDROOM_FANOUT_SHARDS must be a number from 1 to 1024, got %q", v)
		}
		c.FanoutShards = n
	}
	if v := getenv("RECORDROOM_DB_MAX_CONNS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n <= 0 {
			fail("RECORDROOM_DB_MAX_CONNS must be a positive number, got %q", v)
		}
		c.DBMaxConns = int32(n)
	}
	c.MaxSocketsPerUser, c.MaxSocketsPerIP = DefaultMaxSocketsPerUser, DefaultMaxSocketsPerIP
	for name, dst := range map[string]*int{"RECORDROOM_MAX_SOCKETS_PER_USER": &c.MaxSocketsPerUser, "RECORDROOM_MAX_SOCKETS_PER_IP": &c.MaxSocketsPerIP} {
		if v := getenv(name); v != "" {
			if *dst, err = strconv.Atoi(v); err != nil || *dst < 0 {
				fail("%s must be a number of sockets (0: no limit), got %q", name, v)
			}
		}
	}
	for _, cidr := range strings.Split(getenv("RECORDROOM_TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, ipNet, err := net.ParseCIDR(cidr)
		if err != nil {
			fail("RECORDROOM_TRUSTED_PROXIES must be CIDRs such as 10.0.0.0/8, got %q", cidr)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, ipNet)
	}
	if c.CORSOrigins, err = parseOrigins(getenv("RECORDROOM_CORS_ORIGINS")); err != nil {
		fail("RECORDROOM_CORS_ORIGINS: %v", err)
	}
	if v := getenv("RECORDROOM_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			fail("RECORDROOM_LOG_LEVEL must be debug, info, warn or error, got %q", v)
		}
	}
	return c, errors.Join(errs...)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// duration reads a Go duration such as 30s; "" is def.
func duration(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want a duration such as 30s, got %q", v)
	}
	return d, nil
}

// strictBool reads a switch that must be spelled exactly true or false ("" is false): unlike
// strconv.ParseBool it refuses 1, t, TRUE and the like, so a typo cannot turn on a mode that
// must never be on by accident.
func strictBool(v string) (bool, error) {
	switch v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, fmt.Errorf("want true or false, got %q", v)
}

func parseBool(v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("want true or false, got %q", v)
	}
	return b, nil
}
