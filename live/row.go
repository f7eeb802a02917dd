package live

import (
	"encoding/json"
	"time"

	"github.com/recordroom/recordroom/filter"
)

// Row is one version of a record as the engine holds it: what filters and orders see, and the
// body the caller sends. A Row is never changed once handed to the engine: every query holding
// that version shares it, so its body is encoded once.
type Row struct {
	Doc     filter.Doc
	Version int64
	Body    json.RawMessage
}

// Stamp names one version of a record. For one id it only grows: a version is one more than
// the last, and a record recreated under a removed one's id has a later createdAt.
type Stamp struct {
	Created time.Time
	Version int64
}

// Stamp is the row's version.
func (r *Row) Stamp() Stamp { return Stamp{Created: r.Doc.CreatedAt, Version: r.Version} }

// NewerThan reports whether s is a later version than o.
func (s Stamp) NewerThan(o Stamp) bool {
	return s.Created.After(o.Created) || (s.Created.Equal(o.Created) && s.Version > o.Version)
}

// Change is one record's new state: Row, or its removal (Row nil).
type Change struct {
	ID  string
	Row *Row
	// Removed, with Row nil, is the version removed where it is known (a session's own remove):
	// a query holding a newer version (the record was recreated meanwhile) keeps it.
	Removed *Stamp
}
