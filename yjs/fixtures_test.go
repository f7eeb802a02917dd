package yjs

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// b64 is a []byte that JSON fixtures hold as base64.
type b64 []byte

func (b *b64) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	out, err := base64.StdEncoding.DecodeString(s)
	*b = out
	return err
}

// historyFixture is one testdata/history-*.json written by gen/gen.mjs.
type historyFixture struct {
	Name    string `json:"name"`
	Updates []b64  `json:"updates"`
	Merges  []struct {
		Inputs []string `json:"inputs"`
		Result b64      `json:"result"`
	} `json:"merges"`
	Diffs []struct {
		Input  string `json:"input"`
		SV     b64    `json:"sv"`
		Result b64    `json:"result"`
	} `json:"diffs"`
	StateVectors []struct {
		Input  string `json:"input"`
		Result b64    `json:"result"`
	} `json:"stateVectors"`
	Incremental b64 `json:"incremental"`
}

// ref resolves "update:N", "merge:N" or "diff:N" to yjs's bytes.
func (f *historyFixture) ref(t testing.TB, r string) []byte {
	t.Helper()
	var kind string
	var i int
	_, err := fmt.Sscanf(strings.Replace(r, ":", " ", 1), "%s %d", &kind, &i)
	require.NoError(t, err, r)
	switch kind {
	case "update":
		return f.Updates[i]
	case "merge":
		return f.Merges[i].Result
	case "diff":
		return f.Diffs[i].Result
	}
	t.Fatalf("bad ref %q", r)
	return nil
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

var historyCache struct {
	once sync.Once
	all  []*historyFixture
	err  error
}

// histories returns every history fixture, read once per test binary.
func histories(t testing.TB) []*historyFixture {
	t.Helper()
	historyCache.once.Do(func() {
		names, err := filepath.Glob(filepath.Join("testdata", "history-*.json"))
		if err != nil || len(names) == 0 {
			historyCache.err = fmt.Errorf("no history fixtures: %v", err)
			return
		}
		for _, n := range names {
			var f historyFixture
			b, err := os.ReadFile(n)
			if err == nil {
				err = json.Unmarshal(b, &f)
			}
			if err != nil {
				historyCache.err = err
				return
			}
			historyCache.all = append(historyCache.all, &f)
		}
	})
	require.NoError(t, historyCache.err)
	return historyCache.all
}

// typingFixture is testdata/typing.bin.gz: a 20,000-keystroke history and
// yjs's results on it.
type typingFixture struct {
	Updates     [][]byte
	Merged      []byte
	SV          []byte // the state after 10,000 updates
	Diff        []byte // diffUpdate(Merged, SV)
	MergedSV    []byte
	Incremental []byte // the first 2,000 updates merged one at a time
}

var typingCache struct {
	once sync.Once
	fx   typingFixture
	err  error
}

func typing(t testing.TB) *typingFixture {
	t.Helper()
	typingCache.once.Do(func() { typingCache.fx, typingCache.err = readTyping() })
	require.NoError(t, typingCache.err)
	return &typingCache.fx
}

func readTyping() (typingFixture, error) {
	var fx typingFixture
	f, err := os.Open(filepath.Join("testdata", "typing.bin.gz"))
	if err != nil {
		return fx, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fx, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fx, err
	}
	d := NewDecoder(raw)
	n, err := d.ReadVarUint()
	if err != nil {
		return fx, err
	}
	for range n {
		u, err := d.ReadVarUint8Array()
		if err != nil {
			return fx, err
		}
		fx.Updates = append(fx.Updates, u)
	}
	for _, dst := range []*[]byte{&fx.Merged, &fx.SV, &fx.Diff, &fx.MergedSV, &fx.Incremental} {
		if *dst, err = d.ReadVarUint8Array(); err != nil {
			return fx, err
		}
	}
	return fx, nil
}

func TestFixtureMerges(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		for i, m := range f.Merges {
			inputs := make([][]byte, len(m.Inputs))
			for j, r := range m.Inputs {
				inputs[j] = f.ref(t, r)
			}
			got, err := MergeUpdates(inputs...)
			require.NoError(t, err, "%s merge %d", f.Name, i)
			require.True(t, bytes.Equal(m.Result, got), "%s merge %d differs from yjs", f.Name, i)
		}
	}
}

func TestFixtureIncrementalMerge(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		acc := []byte(f.Updates[0])
		for _, u := range f.Updates[1:] {
			var err error
			acc, err = MergeUpdates(acc, u)
			require.NoError(t, err, f.Name)
		}
		require.True(t, bytes.Equal(f.Incremental, acc), "%s incremental merge differs from yjs", f.Name)
	}
}

func TestFixtureDiffs(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		for i, d := range f.Diffs {
			got, err := DiffUpdate(f.ref(t, d.Input), d.SV)
			require.NoError(t, err, "%s diff %d", f.Name, i)
			require.True(t, bytes.Equal(d.Result, got), "%s diff %d differs from yjs", f.Name, i)
		}
	}
}

func TestFixtureStateVectors(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		for i, sv := range f.StateVectors {
			got, err := StateVectorFromUpdate(f.ref(t, sv.Input))
			require.NoError(t, err, "%s sv %d", f.Name, i)
			require.Equal(t, []byte(sv.Result), got, "%s sv %d (%s)", f.Name, i, sv.Input)
		}
	}
}

// Every update yjs wrote must pass the strict validation, and re-encode to
// what yjs's own re-encoding (diffUpdate against an empty state) writes.
func TestFixtureDecodeEncode(t *testing.T) {
	t.Parallel()
	for _, f := range histories(t) {
		for i, u := range f.Updates {
			dec, err := DecodeUpdate(u)
			require.NoError(t, err, "%s update %d", f.Name, i)
			want, err := DiffUpdate(u, []byte{0})
			require.NoError(t, err)
			require.Equal(t, want, dec.Encode(), "%s update %d", f.Name, i)
		}
		for _, d := range f.Diffs {
			if bytes.Equal(d.SV, []byte{0}) {
				dec, err := DecodeUpdateLimits(f.ref(t, d.Input), Limits{MaxUpdateBytes: 64 << 20})
				require.NoError(t, err)
				require.Equal(t, []byte(d.Result), dec.Encode(), f.Name)
			}
		}
	}
}

func TestFixtureTyping(t *testing.T) {
	t.Parallel()
	fx := typing(t)
	require.Len(t, fx.Updates, 20000)

	merged, err := MergeUpdates(fx.Updates...)
	require.NoError(t, err)
	require.True(t, bytes.Equal(fx.Merged, merged), "merge of 20k updates differs from yjs")

	diff, err := DiffUpdate(fx.Merged, fx.SV)
	require.NoError(t, err)
	require.True(t, bytes.Equal(fx.Diff, diff), "diff differs from yjs")

	sv, err := StateVectorFromUpdate(fx.Merged)
	require.NoError(t, err)
	require.Equal(t, fx.MergedSV, sv)

	acc := fx.Updates[0]
	for _, u := range fx.Updates[1:2000] {
		acc, err = MergeUpdates(acc, u)
		require.NoError(t, err)
	}
	require.True(t, bytes.Equal(fx.Incremental, acc), "incremental merge differs from yjs")
}

type handmadeFixture struct {
	Cases []struct {
		Name        string `json:"name"`
		Update      b64    `json:"update"`
		StateVector b64    `json:"stateVector"`
		DiffEmpty   b64    `json:"diffEmpty"`
	} `json:"cases"`
	MergeAll  b64 `json:"mergeAll"`
	MergeNone b64 `json:"mergeNone"`
}

func TestFixtureHandmade(t *testing.T) {
	t.Parallel()
	var fx handmadeFixture
	loadJSON(t, "handmade.json", &fx)
	var all [][]byte
	for _, c := range fx.Cases {
		require.NoError(t, ValidateUpdate(c.Update), c.Name)
		sv, err := StateVectorFromUpdate(c.Update)
		require.NoError(t, err, c.Name)
		require.Equal(t, []byte(c.StateVector), sv, c.Name)
		diff, err := DiffUpdate(c.Update, []byte{0})
		require.NoError(t, err, c.Name)
		require.Equal(t, []byte(c.DiffEmpty), diff, c.Name)
		all = append(all, c.Update)
	}
	merged, err := MergeUpdates(all...)
	require.NoError(t, err)
	require.Equal(t, []byte(fx.MergeAll), merged)
	none, err := MergeUpdates()
	require.NoError(t, err)
	require.Equal(t, []byte(fx.MergeNone), none)
	require.Equal(t, EmptyUpdate(), none)
}
