package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/recordroom/recordroom/protocol"
)

// RecordPage is one page of a REST list; Next is the cursor of the next page, to pass back as
// after, empty on the last page.
type RecordPage = protocol.RecordPage

// ListRecords reads one page of a collection: the records matching q.Where in q.OrderBy's order,
// at most q.Limit of them, starting after the cursor after ("" for the first page).
func (r *REST) ListRecords(ctx context.Context, collection string, q Query, after string) (RecordPage, error) {
	query, err := q.values()
	if err != nil {
		return RecordPage{}, err
	}
	if after != "" {
		query.Set("after", after)
	}
	var page RecordPage
	err = r.call(ctx, request{method: http.MethodGet, path: escapePath("collections", collection, "records"), query: query}, &page)
	return page, err
}

// ListAllRecords reads every page of a list; q.Limit is the page size.
func (r *REST) ListAllRecords(ctx context.Context, collection string, q Query) ([]Record, error) {
	var all []Record
	after := ""
	for {
		page, err := r.ListRecords(ctx, collection, q, after)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Records...)
		if page.Next == "" {
			return all, nil
		}
		after = page.Next
	}
}

// values renders a query as REST parameters: where and orderBy as JSON.
func (q Query) values() (url.Values, error) {
	v := url.Values{}
	where, err := whereJSON(q.Where)
	if err != nil {
		return nil, err
	}
	if where != nil {
		v.Set("where", string(where))
	}
	if len(q.OrderBy) > 0 {
		b, err := json.Marshal(q.OrderBy)
		if err != nil {
			return nil, fmt.Errorf("encode orderBy: %w", err)
		}
		v.Set("orderBy", string(b))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v, nil
}

// whereJSON encodes a where-object; nil (and JSON null) mean "every record" and encode as nil.
func whereJSON(where any) (json.RawMessage, error) {
	if where == nil {
		return nil, nil
	}
	b, err := json.Marshal(where)
	if err != nil {
		return nil, fmt.Errorf("encode where: %w", err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	return b, nil
}

// GetRecord reads one record.
func (r *REST) GetRecord(ctx context.Context, collection, id string) (Record, error) {
	var rec Record
	err := r.call(ctx, request{method: http.MethodGet, path: escapePath("collections", collection, "records", id)}, &rec)
	return rec, err
}

// CreateRecord creates a record over REST; id "" lets the server choose one (a UUIDv7).
func (r *REST) CreateRecord(ctx context.Context, collection, id string, data any) (Record, error) {
	raw, err := dataJSON(data)
	if err != nil {
		return Record{}, err
	}
	req, err := jsonRequest(http.MethodPost, escapePath("collections", collection, "records"), protocol.RecordCreate{ID: id, Data: raw})
	if err != nil {
		return Record{}, err
	}
	var rec Record
	return rec, r.call(ctx, req, &rec)
}

// PutRecord upserts a record over REST (PROTOCOL.md §3 put).
func (r *REST) PutRecord(ctx context.Context, collection, id string, data any, opts PutOptions) (Record, error) {
	raw, err := dataJSON(data)
	if err != nil {
		return Record{}, err
	}
	req, err := jsonRequest(http.MethodPut, escapePath("collections", collection, "records", id), protocol.RecordPut{Data: raw, Replace: opts.Replace})
	if err != nil {
		return Record{}, err
	}
	req.ifMatch = opts.IfVersion
	var rec Record
	return rec, r.call(ctx, req, &rec)
}

// RemoveRecord removes a record over REST.
func (r *REST) RemoveRecord(ctx context.Context, collection, id string, opts RemoveOptions) error {
	return r.call(ctx, request{method: http.MethodDelete, path: escapePath("collections", collection, "records", id),
		ifMatch: opts.IfVersion}, nil)
}

// dataJSON encodes record data (json.RawMessage passes as it is).
func dataJSON(data any) (json.RawMessage, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encode data: %w", err)
	}
	return b, nil
}
