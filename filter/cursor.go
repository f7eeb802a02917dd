package filter

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// A cursor is base64url (unpadded) JSON: {"o": fingerprint of the order, "k": [one sort value
// per key, the id tiebreak included]}. A data key's value is [rank] or [rank, value] (a number
// as its text, a string, a boolean); id and userId are strings; createdAt and updatedAt are Unix
// microseconds. Cursors are not signed: a crafted one can only start a page elsewhere in the
// same order, and the where-object and access rules still decide what is returned.
type cursorJSON struct {
	O string            `json:"o"`
	K []json.RawMessage `json:"k"`
}

// maxCursorBytes bounds a cursor; its size follows the sort values of a record.
const maxCursorBytes = 1 << 20

// Bounds of a cursor's timestamps: years 1 to 9999, which Postgres and Go both hold.
var (
	minCursorMicros = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorMicros = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// sortValue is one key's value at a cursor.
type sortValue struct {
	rank int // of a data value
	text string
	b    bool
	t    time.Time
}

// Cursor returns an opaque, URL-safe cursor positioned at d.
func (o Order) Cursor(d Doc) string {
	keys := o.effective()
	c := cursorJSON{O: o.fingerprint(), K: make([]json.RawMessage, len(keys))}
	for i, k := range keys {
		c.K[i] = json.RawMessage(encodeJSON(k.cursorValue(d)))
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (k orderKey) cursorValue(d Doc) any {
	switch k.f.kind {
	case fieldID:
		return d.ID
	case fieldUserID:
		return d.UserID
	case fieldCreatedAt:
		return d.CreatedAt.UnixMicro()
	case fieldUpdatedAt:
		return d.UpdatedAt.UnixMicro()
	}
	v, ok := k.f.get(d)
	switch r := rankOf(v, ok); r {
	case rankNumber:
		dec, _ := toDecimal(v)
		return []any{r, dec.String()}
	case rankString, rankBool:
		return []any{r, v}
	default:
		return []any{r}
	}
}

// String renders d as a JSON number that Postgres numeric reads to the same value.
func (d decimal) String() string {
	if d.isZero() {
		return "0"
	}
	s := "0." + d.hi + d.lo + "e" + strconv.Itoa(d.exp)
	if d.neg {
		s = "-" + s
	}
	return s
}

// fingerprint names the order, so that a cursor of another order is refused.
func (o Order) fingerprint() string {
	h := sha256.New()
	for _, k := range o.effective() {
		b := []byte{byte(k.f.kind), 0, byte(len(k.f.path))}
		if k.desc {
			b[1] = 1
		}
		for _, s := range k.f.path {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		h.Write(b)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:6])
}

// AfterSQL returns a boolean SQL condition selecting the rows strictly after the cursor in this
// order. A malformed or tampered cursor (or one from another order) → *Error with Path "after".
func (o Order) AfterSQL(cursor string, p *Params) (string, error) {
	keys := o.effective()
	vals, err := o.decodeCursor(cursor, keys)
	if err != nil {
		return "", &Error{Path: "after", Message: err.Error()}
	}
	vars := make([]string, len(keys)) // each cursor value is one parameter, used twice
	for i, k := range keys {
		vars[i] = k.param(vals[i], p)
	}
	cond := after(keys, vals, vars)
	// A keyset on a timestamp first also bounds that column alone, which an index range can use.
	if k := keys[0]; k.f.kind == fieldCreatedAt || k.f.kind == fieldUpdatedAt {
		bound := " >= "
		if k.desc {
			bound = " <= "
		}
		cond = "(" + k.f.column() + bound + vars[0] + " AND " + cond + ")"
	}
	return cond, nil
}

// after is the keyset condition in its nested form: key 1 past the cursor, or equal to it and
// the rest past it, and so on; the last key (id, unique) only past it.
func after(keys []orderKey, vals []sortValue, vars []string) string {
	last := len(keys) - 1
	cond := keys[last].past(vals[last], vars[last])
	for i := last - 1; i >= 0; i-- {
		cond = "(" + keys[i].past(vals[i], vars[i]) + " OR (" + keys[i].equal(vals[i], vars[i]) + " AND " + cond + "))"
	}
	return cond
}

// param adds the cursor value of k as a parameter, "" when a data value is known by rank alone.
func (k orderKey) param(v sortValue, p *Params) string {
	switch k.f.kind {
	case fieldID, fieldUserID:
		return p.Add(v.text) + "::text"
	case fieldCreatedAt, fieldUpdatedAt:
		return p.Add(v.t) + "::timestamptz"
	}
	switch v.rank {
	case rankNumber:
		return p.Add(v.text) + "::numeric"
	case rankString:
		return p.Add(v.text) + "::text"
	case rankBool:
		return p.Add(v.b) + "::boolean"
	}
	return ""
}

// sortExpr is the one expression k compares by at a cursor value of this rank.
func (k orderKey) sortExpr(v sortValue) (rank, within string) {
	exprs := k.sortExprs()
	if k.f.kind != fieldData {
		return "", exprs[0]
	}
	switch v.rank {
	case rankNumber:
		within = exprs[1]
	case rankString:
		within = exprs[2]
	case rankBool:
		within = exprs[3]
	}
	return exprs[0], within
}

// past selects the rows that come after v in this key's direction.
func (k orderKey) past(v sortValue, param string) string {
	cmp := " > "
	if k.desc {
		cmp = " < "
	}
	rank, within := k.sortExpr(v)
	if rank == "" {
		return "(" + within + cmp + param + ")"
	}
	r := strconv.Itoa(v.rank)
	if within == "" {
		return "(" + rank + cmp + r + ")"
	}
	return "(" + rank + cmp + r + " OR (" + rank + " = " + r + " AND " + within + cmp + param + "))"
}

// equal selects the rows that tie with v in this key.
func (k orderKey) equal(v sortValue, param string) string {
	rank, within := k.sortExpr(v)
	if rank == "" {
		return "(" + within + " = " + param + ")"
	}
	r := strconv.Itoa(v.rank)
	if within == "" {
		return "(" + rank + " = " + r + ")"
	}
	return "(" + rank + " = " + r + " AND " + within + " = " + param + ")"
}

var errCursor = errors.New("malformed cursor")

func (o Order) decodeCursor(cursor string, keys []orderKey) ([]sortValue, error) {
	if cursor == "" {
		return nil, errors.New("empty cursor")
	}
	if len(cursor) > maxCursorBytes || strings.ContainsAny(cursor, "\r\n") {
		return nil, errCursor // the decoder would skip line breaks: a cursor has one spelling
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil {
		return nil, errCursor
	}
	var c cursorJSON
	if err := strictJSON(raw, &c); err != nil {
		return nil, errCursor
	}
	if c.O != o.fingerprint() {
		return nil, errors.New("cursor belongs to another orderBy")
	}
	if len(c.K) != len(keys) {
		return nil, errCursor
	}
	vals := make([]sortValue, len(keys))
	for i, k := range keys {
		if vals[i], err = k.decodeValue(c.K[i]); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

func (k orderKey) decodeValue(raw json.RawMessage) (sortValue, error) {
	switch k.f.kind {
	case fieldID, fieldUserID:
		var s string
		if err := strictJSON(raw, &s); err != nil || !cleanText(s) {
			return sortValue{}, errCursor
		}
		return sortValue{text: s}, nil
	case fieldCreatedAt, fieldUpdatedAt:
		var us int64
		if err := strictJSON(raw, &us); err != nil || us < minCursorMicros || us > maxCursorMicros {
			return sortValue{}, errCursor
		}
		return sortValue{t: time.UnixMicro(us).UTC()}, nil
	}
	return decodeDataValue(raw)
}

func decodeDataValue(raw json.RawMessage) (sortValue, error) {
	var parts []json.RawMessage
	if err := strictJSON(raw, &parts); err != nil || len(parts) == 0 || len(parts) > 2 {
		return sortValue{}, errCursor
	}
	var v sortValue
	if err := strictJSON(parts[0], &v.rank); err != nil || v.rank < rankMissing || v.rank > rankObject {
		return sortValue{}, errCursor
	}
	needsValue := v.rank == rankNumber || v.rank == rankString || v.rank == rankBool
	if needsValue != (len(parts) == 2) {
		return sortValue{}, errCursor
	}
	var err error
	switch v.rank {
	case rankNumber:
		if err = strictJSON(parts[1], &v.text); err == nil && checkNumber(v.text) != "" {
			err = errCursor
		}
	case rankString:
		if err = strictJSON(parts[1], &v.text); err == nil && !cleanText(v.text) {
			err = errCursor
		}
	case rankBool:
		err = strictJSON(parts[1], &v.b)
	}
	if err != nil {
		return sortValue{}, errCursor
	}
	return v, nil
}

// cleanText reports whether s can be a Postgres text parameter.
func cleanText(s string) bool { return !strings.ContainsRune(s, 0) }

// strictJSON decodes exactly one JSON value into v, refusing null (which would leave v as it
// is), unknown fields and trailing data.
func strictJSON(raw []byte, v any) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return errCursor
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errCursor
	}
	return nil
}
