package realtime

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/live"
	"github.com/recordroom/recordroom/protocol"
)

func TestEncodeChangesIsTheJSONOfTheMessage(t *testing.T) {
	t.Parallel()
	for _, d := range []delta{
		{upserts: []any{json.RawMessage(`{"id":"a","data":{"x":"\u00e9"}}`), map[string]any{"id": "b"}}, removes: []string{"c", `"q"`}},
		{removes: []string{"only"}},
		{upserts: []any{json.RawMessage(`{"id":"a"}`)}},
	} {
		b, err := encodeChanges(`s"1`, d)
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(b, &got), string(b))
		want := map[string]any{"type": "changes", "sub": `s"1`, "upserts": []any{}, "removes": []any{}}
		for _, u := range d.upserts {
			raw, _ := json.Marshal(u)
			var v any
			require.NoError(t, json.Unmarshal(raw, &v))
			want["upserts"] = append(want["upserts"].([]any), v)
		}
		for _, r := range d.removes {
			want["removes"] = append(want["removes"].([]any), r)
		}
		require.Equal(t, want, got)
		// Byte for byte what encoding/json makes of the contract's message.
		msg := protocol.Changes{Type: protocol.TypeChanges, Sub: `s"1`, Upserts: d.upserts, Removes: d.removes}
		if msg.Upserts == nil {
			msg.Upserts = []any{}
		}
		if msg.Removes == nil {
			msg.Removes = []string{}
		}
		std, err := json.Marshal(msg)
		require.NoError(t, err)
		require.Equal(t, string(std), string(b))
	}
}

// The live engine's deltas, encoded once for all subscribers of a shared query, make the
// same bytes as the contract's message for each sub id.
func TestLiveChangesAreTheJSONOfTheMessage(t *testing.T) {
	t.Parallel()
	rows := []*live.Row{{Body: json.RawMessage(`{"id":"a","data":{"x":"\u00e9"}}`)}, {Body: json.RawMessage(`{"id":"b"}`)}}
	for _, d := range []live.Delta{{Upserts: rows, Removes: []string{"c", `"q"`}}, {Removes: []string{"only"}}, {Upserts: rows[:1]}} {
		tail := changesTail(d)
		for _, sub := range []string{"s1", `s"1`, "<&>"} {
			msg := protocol.Changes{Type: protocol.TypeChanges, Sub: sub, Upserts: []any{}, Removes: d.Removes}
			for _, r := range d.Upserts {
				msg.Upserts = append(msg.Upserts, r.Body)
			}
			if msg.Removes == nil {
				msg.Removes = []string{}
			}
			std, err := json.Marshal(msg)
			require.NoError(t, err)
			require.Equal(t, string(std), string(changesMessage(sub, tail)))
		}
	}
}
