package records_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/internal/testdb"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

var alice = access.Caller{UserID: "alice", Role: access.Admin}

// key names a record of the test room.
func key(collection, id string) records.Key {
	return records.Key{Room: "r", Collection: collection, ID: id}
}

func newService(t *testing.T, schema string) *records.Service {
	t.Helper()
	return newServiceWith(t, schema, records.Limits{})
}

// newServiceWith is newService with limits of its own.
func newServiceWith(t *testing.T, schema string, limits records.Limits) *records.Service {
	t.Helper()
	database, err := db.Open(context.Background(), testdb.New(t).URL, db.Options{})
	require.NoError(t, err)
	t.Cleanup(database.Close)
	err = database.RoomEnsure(context.Background(), "r")
	require.NoError(t, err)
	var raw []byte
	if schema != "" {
		raw = []byte(schema)
	}
	s, err := records.New(database, raw, limits)
	require.NoError(t, err)
	return s
}

// Many concurrent mutations, written in batches: each gets its own outcome, and a bad one never
// fails its neighbours.
func TestConcurrentMutationsKeepTheirOwnOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t, `{"collections":{"strict":{"fields":{"n":{"type":"integer","required":true}}}}}`)
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			switch i % 4 {
			case 0: // fine
				_, errs[i] = s.Create(ctx, alice, key("strict", fmt.Sprintf("ok%d", i)), json.RawMessage(`{"n":1}`))
			case 1: // invalid for the schema
				_, errs[i] = s.Create(ctx, alice, key("strict", fmt.Sprintf("bad%d", i)), json.RawMessage(`{"n":"x"}`))
			case 2: // data Postgres cannot store: fails alone in the batch
				_, errs[i] = s.Create(ctx, alice, key("strict", fmt.Sprintf("nul%d", i)), json.RawMessage(`{"n":1,"s":"\u0000"}`))
			case 3: // all the same id: exactly one wins
				_, errs[i] = s.Create(ctx, alice, key("strict", "same"), json.RawMessage(`{"n":1}`))
			}
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch i % 4 {
		case 0:
			assert.NoError(t, err, i)
		case 1:
			assert.Equal(t, protocol.Invalid, protocol.ErrorOf(err).Code, i)
		case 2:
			assert.Equal(t, protocol.BadRequest, protocol.ErrorOf(err).Code, "%d: %v", i, err)
		case 3:
			if err == nil {
				wins++
			} else {
				assert.Equal(t, protocol.Conflict, protocol.ErrorOf(err).Code, i)
			}
		}
	}
	require.Equal(t, 1, wins, "one create of the same id wins")
	page, err := s.Query(ctx, alice, "r", "strict", records.Query{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, page.Records, n/4+1)
}

// Concurrent puts and removes of one record apply one after the other: versions count every put.
func TestConcurrentPutsOfOneRecordAllApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t, "")
	_, err := s.Create(ctx, alice, key("c", "x"), json.RawMessage(`{}`))
	require.NoError(t, err)
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := s.Put(ctx, alice, key("c", "x"), records.PutParams{Data: json.RawMessage(fmt.Sprintf(`{"f%d":%d}`, i, i))})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	r, err := s.Get(ctx, alice, key("c", "x"))
	require.NoError(t, err)
	require.Equal(t, int64(n+1), r.Version)
	var data map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &data))
	require.Len(t, data, n, "every merge kept the others' fields")

	stale := int64(1)
	_, err = s.Remove(ctx, alice, key("c", "x"), records.RemoveParams{IfVersion: &stale})
	require.Equal(t, protocol.Conflict, protocol.ErrorOf(err).Code)
	removed, err := s.Remove(ctx, alice, key("c", "x"), records.RemoveParams{})
	require.NoError(t, err)
	require.Equal(t, int64(n+1), removed.Version, "a remove answers the record as it was")
	_, err = s.Remove(ctx, alice, key("c", "x"), records.RemoveParams{})
	require.Equal(t, protocol.NotFound, protocol.ErrorOf(err).Code)
}

// Concurrent puts of one missing record, spread over concurrent batches, are all upserts: one
// creates it, the others update it, none conflicts.
func TestConcurrentPutsOfAMissingRecordNeverConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t, "")
	for round := range 5 {
		id := fmt.Sprintf("new%d", round)
		const n = 16
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := s.Put(ctx, alice, key("c", id), records.PutParams{Data: json.RawMessage(fmt.Sprintf(`{"f%d":1}`, i))})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		r, err := s.Get(ctx, alice, key("c", id))
		require.NoError(t, err)
		require.Equal(t, int64(n), r.Version, "one create and %d updates", n-1)
	}
}
