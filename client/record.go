package client

import "github.com/recordroom/recordroom/protocol"

// Record is a record as the server sends it (PROTOCOL.md §3). Items of the system collections
// ($users, $teams, $teamMembers) carry only ID and Data. Its times are protocol.Time, which
// embeds time.Time (rec.CreatedAt.Time); Decode unmarshals its data.
type Record = protocol.Record

// Query is what a subscription or a REST list asks for (PROTOCOL.md §3, docs/query-language.md).
type Query struct {
	// Where is a where-object: a map[string]any, a json.RawMessage, or anything else that
	// marshals to a JSON object. nil matches every record.
	Where any
	// OrderBy has at most 3 keys; nil means createdAt ascending. Ties break by id.
	OrderBy []OrderKey
	// Limit caps the result (1–10000); 0 means the server's default, 1000. For
	// ListAllRecords it is the page size.
	Limit int
}

// OrderKey is one sort key: a data path ("address.city") or id, userId, createdAt, updatedAt;
// Dir "asc" (the default) or "desc".
type OrderKey = protocol.OrderKey

// Asc sorts by field, ascending.
func Asc(field string) OrderKey { return OrderKey{Field: field, Dir: "asc"} }

// Desc sorts by field, descending.
func Desc(field string) OrderKey { return OrderKey{Field: field, Dir: "desc"} }

// PutOptions are the optional parts of a put.
type PutOptions struct {
	// Replace replaces the stored data whole; false merges data's top-level fields into it.
	Replace bool
	// IfVersion, when set, makes the put happen only at that version (0: only if the record
	// does not exist yet); otherwise it fails with conflict.
	IfVersion *int64
}

// RemoveOptions are the optional parts of a remove.
type RemoveOptions struct {
	// IfVersion, when set, makes the remove happen only at that version, else conflict.
	IfVersion *int64
}

// Version returns a pointer to v, for PutOptions.IfVersion and RemoveOptions.IfVersion.
func Version(v int64) *int64 { return &v }

// Hello is what the server said about this connection when it opened.
type Hello struct {
	Protocol int
	Room     string
	UserID   string // empty for an anonymous viewer
	Role     string
	Replica  string // the server replica serving the connection
}
