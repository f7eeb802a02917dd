package client

import (
	"encoding/json"

	"github.com/recordroom/recordroom/filter"
)

// order sorts a subscription's records the way the server does: with the server's own
// comparison (filter.Order) on the same documents, so that the two can never disagree about
// kinds, numbers or ties. The server sends no positions in changes, so the client has to.
type order struct{ o filter.Order }

// newOrder makes the order of an orderBy; nil or empty means createdAt ascending, and id breaks
// ties. Keys the server would refuse never get this far: the subscription fails first.
func newOrder(keys []OrderKey) order {
	var raw []byte
	if len(keys) > 0 {
		raw, _ = json.Marshal(keys)
	}
	o, err := filter.ParseOrder(raw)
	if err != nil {
		o = filter.Order{}
	}
	return order{o}
}

// keyOf is a record as the comparison sees it, decoded once so that comparing never decodes.
func (o order) keyOf(r Record) filter.Doc {
	data, _ := decodeJSON(r.Data) // data the server sent is JSON; anything else sorts as missing
	fields, _ := data.(map[string]any)
	return filter.Doc{ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time, Data: fields}
}

// compare orders two records: negative when a comes first.
func (o order) compare(a, b filter.Doc) int { return o.o.Compare(a, b) }
