package bench

import (
	"slices"
	"strings"
)

// ownedVariables are the server settings the benchmark decides itself for the replicas it
// starts: where they listen and store, how tokens are checked (it mints them), and the open-mode
// rooms every scenario writes to (a server-wide schema would refuse its collections).
var ownedVariables = []string{
	"RECORDROOM_ADDR", "RECORDROOM_DATA_DIR", "RECORDROOM_JWT_SECRET", "RECORDROOM_JWKS_URL",
	"RECORDROOM_JWT_ISSUER", "RECORDROOM_JWT_AUDIENCE", "RECORDROOM_SCHEMA", "RECORDROOM_MIGRATE",
	"RECORDROOM_LISTEN_DATABASE_URL",
}

// ServerEnvFrom picks from environ (os.Environ()) the RECORDROOM_* settings the replicas the
// benchmark starts should run with, so that `RECORDROOM_DB_MAX_CONNS=16 recordroom bench`
// measures that configuration. The settings it decides itself are left out.
func ServerEnvFrom(environ []string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, "RECORDROOM_") && !slices.Contains(ownedVariables, k) {
			env[k] = v
		}
	}
	return env
}
