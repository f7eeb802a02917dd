package records_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/records"
)

// What Postgres cannot store is refused before the write joins a batch, with its path, in
// collections with and without field checks, on create and on put; what it can store, however
// close to the edge, is stored (the round trip proves Postgres takes it).
func TestUnstorableDataIsRefusedWithItsPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t, `{"collections":{"open":{},"checked":{"fields":{"n":{"type":"number"}}}}}`)
	refused := []struct{ data, path, problem string }{
		{`{"s":"a\u0000b"}`, "s", `\u0000`},
		{`{"a\u0000":1}`, "a\x00", `\u0000`},
		{`{"a":{"b":[1,"x","\ud800"]}}`, "a.b.2", "unpaired surrogate"},
		{`{"a":"\udc00\ud83d"}`, "a", "unpaired surrogate"},
		{`{"a":"\ud83dx"}`, "a", "unpaired surrogate"},
		{"{\"a\":[\"ok\",\"\xff\"]}", "a.1", "UTF-8"},
		{`{"n":1e1001}`, "n", "exponent"},
		{`{"n":[-1E-1001]}`, "n.0", "exponent"},
		{`{"n":1` + strings.Repeat("0", 1000) + `}`, "n", "1000 characters"},
	}
	stored := []string{ // strings: they come back as sent
		`{"s":"\\u0000"}`, `{"s":"\ud83d\ude00"}`, `{"s":"\uffff é"}`, `{"s":"\"\\\"\\u0000"}`,
		`{"n":[0, -0.5e+10, true, null, {}]}`,
	}
	for _, coll := range []string{"open", "checked"} {
		for i, c := range refused {
			for _, put := range []bool{false, true} {
				var err error
				if put {
					_, err = s.Put(ctx, alice, key(coll, fmt.Sprintf("p%d", i)), records.PutParams{Data: json.RawMessage(c.data)})
				} else {
					_, err = s.Create(ctx, alice, key(coll, ""), json.RawMessage(c.data))
				}
				var pe *protocol.Error
				require.ErrorAs(t, err, &pe, "%s %q", coll, c.data)
				require.Equal(t, protocol.BadRequest, pe.Code, "%s %q: %v", coll, c.data, err)
				require.Len(t, pe.Details, 1, "%q", c.data)
				require.Equal(t, c.path, pe.Details[0].Path, "%q", c.data)
				require.Contains(t, pe.Details[0].Message, c.problem, "%q", c.data)
				require.Contains(t, pe.Message, "cannot be stored", "refused before Postgres saw it")
			}
		}
		if coll == "checked" {
			continue // the schema wants n a number: the cases are for open data
		}
		for _, data := range stored {
			rec, err := s.Create(ctx, alice, key(coll, ""), json.RawMessage(data))
			require.NoError(t, err, "%q", data)
			var want, got any
			require.NoError(t, json.Unmarshal([]byte(data), &want))
			require.NoError(t, json.Unmarshal(rec.Data, &got))
			require.Equal(t, want, got, "%q", data)
		}
		_, err := s.Create(ctx, alice, key(coll, ""), json.RawMessage(`{"n":1e1000,"m":-1E-1000,"o":[1`+strings.Repeat("0", 999)+`]}`))
		require.NoError(t, err, "numbers at the bounds are stored")
	}
}
