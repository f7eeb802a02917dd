// Package auth turns bearer tokens into identities: JWT verification with an HS256 secret or a
// JWKS URL. It also mints HS256 tokens for development.
package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Identity is who a verified token says the caller is.
type Identity struct {
	UserID string // the sub claim
	Email  string // the email claim when it is a string, else ""
	Name   string // the name claim when it is a string, else ""
	// EmailUnverified is set when the token says email_verified: false. Such an email is shown,
	// but never trusted to claim what was sent to it (team invites).
	EmailUnverified bool
	// Widget is the widget claim: the one widget this token may act as, for files (scope self)
	// and sockets. "" when the token has none, and the widget a request names is a label.
	Widget string
	// ExpiresAt is the exp claim. Verify refuses tokens without exp, so it is never zero on an
	// identity Verify returns (a long-lived connection can close when it passes).
	ExpiresAt time.Time
}

// claims are the token's claims RecordRoom reads.
type claims struct {
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"` // written only when false
	Name          string `json:"name,omitempty"`
	Widget        string `json:"widget,omitempty"`
	jwt.RegisteredClaims
}

// MintHS256 signs a token for id that expires after ttl, for development and tests
// (`recordroom token`). Production tokens come from the application's identity provider.
func MintHS256(secret []byte, id Identity, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("no secret: set RECORDROOM_JWT_SECRET")
	}
	if id.UserID == "" {
		return "", errors.New("a token needs a subject (user id)")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("ttl must be positive, got %s", ttl)
	}
	c := claims{
		Email:  id.Email,
		Name:   id.Name,
		Widget: id.Widget,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   id.UserID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
	if id.EmailUnverified {
		c.EmailVerified = new(bool)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}
