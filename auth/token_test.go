package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func TestMintHS256SignsTheIdentityWithExpiry(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	tok, err := MintHS256([]byte("s3cret"), Identity{UserID: "alice", Email: "a@x.org", Name: "Alice"}, time.Hour, now)
	require.NoError(t, err)

	var c claims
	_, err = jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return []byte("s3cret"), nil },
		jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err)
	require.Equal(t, "alice", c.Subject)
	require.Equal(t, "a@x.org", c.Email)
	require.Equal(t, "Alice", c.Name)
	require.Equal(t, now.Add(time.Hour), c.ExpiresAt.Time)

	_, err = jwt.ParseWithClaims(tok, &claims{}, func(*jwt.Token) (any, error) { return []byte("other"), nil })
	require.Error(t, err, "another secret does not verify it")
}

func TestMintHS256RefusesIncompleteInput(t *testing.T) {
	t.Parallel()
	_, err := MintHS256(nil, Identity{UserID: "a"}, time.Hour, time.Now())
	require.ErrorContains(t, err, "RECORDROOM_JWT_SECRET")
	_, err = MintHS256([]byte("s"), Identity{}, time.Hour, time.Now())
	require.ErrorContains(t, err, "subject")
	_, err = MintHS256([]byte("s"), Identity{UserID: "a"}, 0, time.Now())
	require.ErrorContains(t, err, "ttl")
}
