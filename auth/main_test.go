package auth

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine behind: every JWKS refresher and HTTP
// connection must end with the context its Verifier was made with.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
