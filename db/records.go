package db

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recordroom/recordroom/db/internal/dbsqlc"
)

// Record is one JSON object in a room's collection.
type Record struct {
	Room       string
	Collection string
	ID         string
	// UserID is the creator; it never changes.
	UserID    string
	Data      json.RawMessage
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RecordGet reads one record.
func (s Store) RecordGet(ctx context.Context, room, collection, id string) (Record, error) {
	row, err := s.q.RecordGet(ctx, dbsqlc.RecordGetParams{RoomID: room, Collection: collection, ID: id})
	if err != nil {
		return Record{}, translate(err, "get record")
	}
	return recordFromRow(row), nil
}

func recordFromRow(r dbsqlc.Record) Record {
	return Record{
		Room:       r.RoomID,
		Collection: r.Collection,
		ID:         r.ID,
		UserID:     r.UserID,
		Data:       r.Data,
		Version:    r.Version,
		CreatedAt:  r.CreatedAt,
		UpdatedAt:  r.UpdatedAt,
	}
}

// RecordQuery is a select over records whose conditions are built at run time.
type RecordQuery struct {
	// Clauses follow SELECT <columns> FROM records: WHERE, ORDER BY, LIMIT. They must come from
	// package filter (filter.Select.SQL), which passes every user value as a parameter; Args
	// holds those values, for $1 on.
	Clauses string
	Args    []any
	// Timeout, when positive, cancels the select if it runs longer (statement_timeout for its
	// own transaction): the error is then ErrTimeout.
	Timeout time.Duration
	// MaxBytes, when positive, stops reading rows once their data passed it: the row that
	// passed it is the last one returned, and the rest is never held in memory.
	MaxBytes int
}

const recordSelectSQL = "SELECT room_id, collection, id, user_id, data, version, created_at, updated_at FROM records "

// RecordSelect runs q.
func (s Store) RecordSelect(ctx context.Context, q RecordQuery) ([]Record, error) {
	if q.Timeout > 0 {
		if b, ok := s.conn.(interface {
			Begin(context.Context) (pgx.Tx, error)
		}); ok {
			var recs []Record
			err := pgx.BeginFunc(ctx, b, func(tx pgx.Tx) error {
				// SET LOCAL takes no parameters; set_config(…, true) is its parameterised form,
				// undone at the transaction's end, so the pooled connection keeps its default.
				ms := strconv.FormatInt(max(q.Timeout.Milliseconds(), 1), 10)
				if _, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true)", ms); err != nil {
					return translate(err, "set query timeout")
				}
				var err error
				recs, err = newStore(tx).RecordSelect(ctx, RecordQuery{Clauses: q.Clauses, Args: q.Args, MaxBytes: q.MaxBytes})
				return err
			})
			return recs, err
		}
	}
	rows, err := s.conn.Query(ctx, recordSelectSQL+q.Clauses, q.Args...)
	if err != nil {
		return nil, translate(err, "query records")
	}
	defer rows.Close()
	var recs []Record
	held := 0
	for (q.MaxBytes <= 0 || held < q.MaxBytes) && rows.Next() {
		var r dbsqlc.Record
		if err := rows.Scan(&r.RoomID, &r.Collection, &r.ID, &r.UserID, &r.Data, &r.Version, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, translate(err, "query records")
		}
		held += len(r.Data)
		recs = append(recs, recordFromRow(r))
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "query records")
	}
	return recs, nil
}

// RecordListByIDs reads the records of one collection with the given ids; missing ones are
// simply absent.
func (s Store) RecordListByIDs(ctx context.Context, room, collection string, ids []string) ([]Record, error) {
	rows, err := s.q.RecordListByIDs(ctx, dbsqlc.RecordListByIDsParams{RoomID: room, Collection: collection, Ids: ids})
	if err != nil {
		return nil, translate(err, "list records by id")
	}
	recs := make([]Record, len(rows))
	for i, r := range rows {
		recs[i] = recordFromRow(r)
	}
	return recs, nil
}

// RecordPlan is what the planner expects of a RecordQuery, read without running it.
type RecordPlan struct {
	// Cost is the top node's Total Cost, in the planner's units (seq_page_cost = 1).
	Cost float64
	// Indexed: an index condition narrows the records beyond room and collection (the
	// where-object, or part of it, is answered by an index), or the plan reads records by index
	// alone, with no row-by-row filter and no sort (the order is the index's).
	Indexed bool
}

// RecordExplain asks the planner about q: EXPLAIN (FORMAT JSON) of the very statement
// RecordSelect runs, with the same parameters, so the estimate is of the plan that would run.
func (s Store) RecordExplain(ctx context.Context, q RecordQuery) (RecordPlan, error) {
	var out []byte
	err := s.conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+recordSelectSQL+q.Clauses, q.Args...).Scan(&out)
	if err != nil {
		return RecordPlan{}, translate(err, "explain records query")
	}
	var plans []struct{ Plan planNode }
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) == 0 {
		return RecordPlan{}, fmt.Errorf("explain records query: unreadable plan: %w", err)
	}
	var seen planSeen
	seen.walk(&plans[0].Plan)
	return RecordPlan{
		Cost:    plans[0].Plan.TotalCost,
		Indexed: seen.narrowingIndex || (!seen.seqScan && !seen.filter && !seen.sort),
	}, nil
}

// planNode is the part of a node of EXPLAIN's JSON the verdict reads.
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	IndexCond    string     `json:"Index Cond"`
	Filter       string     `json:"Filter"`
	TotalCost    float64    `json:"Total Cost"`
	Plans        []planNode `json:"Plans"`
}

type planSeen struct{ narrowingIndex, seqScan, filter, sort bool }

var (
	// sqlLiteral is a quoted constant of a condition EXPLAIN prints ('r1'::text), skipped so
	// that a room or collection named like a column does not count as one.
	sqlLiteral = regexp.MustCompile(`'(?:[^']|'')*'`)
	// recordColumn names a records column other than the room_id and collection prefix that
	// every query has.
	recordColumn = regexp.MustCompile(`\b(data|id|user_id|created_at|updated_at|version)\b`)
)

func (p *planSeen) walk(n *planNode) {
	onRecords := strings.HasPrefix(n.RelationName, "records") || strings.HasPrefix(n.IndexName, "records")
	switch {
	case n.NodeType == "Sort" || n.NodeType == "Incremental Sort":
		p.sort = true
	case onRecords && n.NodeType == "Seq Scan":
		p.seqScan = true
	}
	if onRecords && n.Filter != "" {
		p.filter = true
	}
	if onRecords && recordColumn.MatchString(sqlLiteral.ReplaceAllString(n.IndexCond, "")) {
		p.narrowingIndex = true
	}
	for i := range n.Plans {
		p.walk(&n.Plans[i])
	}
}
