package realtime

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
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
	}
}
