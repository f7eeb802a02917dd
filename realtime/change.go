package realtime

import (
	"encoding/json"
	"fmt"
	"time"
)

// Channel is the Postgres NOTIFY channel the change triggers publish on.
const Channel = "recordroom_changes"

// Change is one NOTIFY payload: the keys of rows one statement changed (docs/notify.md).
type Change struct {
	Table string `json:"table"` // records, users, teams, team_members, yjs_updates, rooms, awareness
	Op    string `json:"op"`    // insert, update, delete
	// TS is when the statement ran, in Unix milliseconds.
	TS   int64       `json:"ts"`
	Rows []ChangeRow `json:"rows"`
}

// ChangeRow names one changed row. Which fields are set depends on the table.
type ChangeRow struct {
	Room       string `json:"room"`
	Collection string `json:"collection,omitempty"` // records
	ID         string `json:"id,omitempty"`         // records, users, teams, team_members
	Version    int64  `json:"version,omitempty"`    // records
	Creator    string `json:"creator,omitempty"`    // records, teams
	Team       string `json:"team,omitempty"`       // team_members
	User       string `json:"user,omitempty"`       // team_members (empty while pending)
	Name       string `json:"name,omitempty"`       // yjs_updates, awareness: the document
	Seq        int64  `json:"seq,omitempty"`        // yjs_updates
	Replica    string `json:"replica,omitempty"`    // awareness: the replica that sent it
	Update     []byte `json:"update,omitempty"`     // awareness: the awareness update (base64)
	MAC        []byte `json:"mac,omitempty"`        // awareness: its signature (awarenessMAC)
}

// Time is when the statement ran.
func (c Change) Time() time.Time { return time.UnixMilli(c.TS) }

// ParseChange decodes a NOTIFY payload.
func ParseChange(payload string) (Change, error) {
	var c Change
	if err := json.Unmarshal([]byte(payload), &c); err != nil {
		return Change{}, fmt.Errorf("parse change notification: %w", err)
	}
	if c.Table == "" || c.Op == "" || c.TS == 0 {
		return Change{}, fmt.Errorf("parse change notification: table, op or ts missing")
	}
	return c, nil
}
