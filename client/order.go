package client

import (
	"encoding/json"
	"math/big"
	"strings"
	"time"
)

// order sorts a subscription's records the way the server does (docs/query-language.md): the
// orderBy keys, then id ascending unless id is one of them. The server sends no positions in
// changes, so the client has to.
type order []sortField

type fieldKind uint8

const (
	fieldData fieldKind = iota
	fieldID
	fieldUserID
	fieldCreatedAt
	fieldUpdatedAt
)

var reservedFields = map[string]fieldKind{
	"id": fieldID, "userId": fieldUserID, "createdAt": fieldCreatedAt, "updatedAt": fieldUpdatedAt,
}

type sortField struct {
	kind fieldKind
	path []string // data fields
	desc bool
}

// newOrder makes the order of an orderBy; nil or empty means createdAt ascending. Keys the
// server would refuse never get this far: the subscription fails first.
func newOrder(keys []OrderKey) order {
	if len(keys) == 0 {
		return order{{kind: fieldCreatedAt}, {kind: fieldID}}
	}
	var o order
	hasID := false
	for _, k := range keys {
		f := sortField{desc: k.Dir == "desc"}
		if kind, ok := reservedFields[k.Field]; ok {
			f.kind = kind
		} else {
			f.path = strings.Split(k.Field, ".")
		}
		hasID = hasID || f.kind == fieldID
		o = append(o, f)
	}
	if !hasID {
		o = append(o, sortField{kind: fieldID})
	}
	return o
}

// sortValue is one field of a record, ready to compare.
type sortValue struct {
	rank int
	num  *big.Rat
	str  string
	bool bool
	time time.Time
}

// keyOf extracts a record's sort values once, so that comparing never decodes JSON.
func (o order) keyOf(r Record) []sortValue {
	var data any
	decoded := false
	key := make([]sortValue, len(o))
	for i, f := range o {
		switch f.kind {
		case fieldID:
			key[i] = sortValue{rank: rankString, str: r.ID}
		case fieldUserID:
			key[i] = sortValue{rank: rankString, str: r.UserID}
		case fieldCreatedAt:
			key[i] = sortValue{time: r.CreatedAt}
		case fieldUpdatedAt:
			key[i] = sortValue{time: r.UpdatedAt}
		default:
			if !decoded {
				data, _ = decodeJSON(r.Data) // data the server sent is JSON; anything else sorts as missing
				decoded = true
			}
			key[i] = valueOf(lookup(data, f.path))
		}
	}
	return key
}

func valueOf(v any, present bool) sortValue {
	s := sortValue{rank: rankOf(v, present)}
	switch s.rank {
	case rankNumber:
		s.num = number(v.(json.Number))
	case rankString:
		s.str = v.(string)
	case rankBool:
		s.bool = v.(bool)
	}
	return s
}

// compare orders two keys: negative when a comes first.
func (o order) compare(a, b []sortValue) int {
	for i, f := range o {
		c := compareValue(f.kind, a[i], b[i])
		if f.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareValue(kind fieldKind, a, b sortValue) int {
	if kind == fieldCreatedAt || kind == fieldUpdatedAt {
		return a.time.Compare(b.time)
	}
	if a.rank != b.rank {
		return a.rank - b.rank
	}
	switch a.rank {
	case rankNumber:
		return a.num.Cmp(b.num)
	case rankString:
		return strings.Compare(a.str, b.str) // byte-wise, as the server's COLLATE "C"
	case rankBool:
		switch {
		case a.bool == b.bool:
			return 0
		case a.bool:
			return 1
		}
		return -1
	}
	return 0 // missing, null, and all arrays and all objects tie
}
