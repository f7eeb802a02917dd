// Package ids holds the one shape every client-visible id shares (room, record, team and widget
// ids: PROTOCOL.md §1, §3) and makes new ids.
package ids

import (
	"fmt"
	"regexp"

	"github.com/google/uuid"
)

// Rule says what a valid id is, for error messages.
const Rule = "1–128 characters of A-Z a-z 0-9 . _ : -"

var pattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// Valid tells whether id follows Rule.
func Valid(id string) bool { return pattern.MatchString(id) }

// New makes a UUIDv7: time-ordered, so new rows land at the end of their index.
func New() (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("generate id: %w", err)
	}
	return u.String(), nil
}
