package yjs

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

type malformedFixture struct {
	Cases []struct {
		Kind   string `json:"kind"`
		Update b64    `json:"update"`
		Yjs    string `json:"yjs"` // "throws" or "accepts" (Y.decodeUpdate)
	} `json:"cases"`
}

// Every function must survive hostile bytes with an error, never a panic,
// and refuse at least what yjs itself cannot decode.
func TestMalformedFixtures(t *testing.T) {
	t.Parallel()
	var fx malformedFixture
	loadJSON(t, "malformed.json", &fx)
	require.NotEmpty(t, fx.Cases)
	valid := histories(t)[0].Merges[0].Result
	refused, yjsThrows := 0, 0
	for i, c := range fx.Cases {
		err := ValidateUpdate(c.Update)
		if c.Yjs == "throws" {
			yjsThrows++
			require.Error(t, err, "case %d (%s): yjs throws but Go accepts", i, c.Kind)
		}
		if err != nil {
			refused++
			require.True(t, errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge), "case %d: untyped error %v", i, err)
		}
		exerciseAll(t, c.Update, valid)
	}
	t.Logf("%d cases: yjs throws on %d, Go refuses %d", len(fx.Cases), yjsThrows, refused)
}

// exerciseAll runs every decoder on b (also mixed with a valid update) and
// checks the answers agree with validation.
func exerciseAll(t *testing.T, b, valid []byte) {
	t.Helper()
	verr := ValidateUpdateLimits(b, Limits{MaxUpdateBytes: 64 << 20})
	_, derr := DecodeUpdateLimits(b, Limits{MaxUpdateBytes: 64 << 20})
	require.Equal(t, verr == nil, derr == nil)
	_, serr := StateVectorFromUpdate(b)
	require.Equal(t, verr == nil, serr == nil, "%v / %v", verr, serr)
	_, merr := MergeUpdates(b, valid)
	require.Equal(t, verr == nil, merr == nil)
	_, merr = MergeUpdates(valid, b)
	require.Equal(t, verr == nil, merr == nil)
	_, err := DiffUpdate(b, []byte{0})
	require.Equal(t, verr == nil, err == nil)
	_, _ = DiffUpdate(valid, b) // b as a state vector
	_, _ = DecodeStateVector(b)
	_, _ = DecodeMessage(b)
	_, _, _ = DecodeFrame(b)
	_, _ = DecodeAwareness(b)
	_, _ = NewDecoder(b).ReadAny()
}

func TestAdversarialInputsAreRefused(t *testing.T) {
	t.Parallel()
	random := []byte{0x8f, 0x3a, 0xff, 0x01, 0x77, 0x10, 0xc4, 0x9e, 0x42, 0x00, 0x85, 0xd1,
		0x6b, 0x2f, 0xee, 0x13, 0x58, 0xa0, 0x07, 0x99, 0x3c, 0xf1, 0x64, 0xb8}
	huge := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f} // a count or length near 2^46
	for _, b := range [][]byte{
		random,
		huge,
		append([]byte{1}, huge...), // 2^46 structs
		append([]byte{1, 1, 1, 0, 4, 1, 1, 't'}, huge...),          // a string of 2^46 bytes
		append([]byte{1, 1, 1, 0, 8, 1, 1, 't', 1, 0x75}, huge...), // an any array of 2^46
		append([]byte{1, 1, 1, 0, 2, 1, 1, 't'}, huge...),          // 2^46 JSON values
		append([]byte{0, 1, 5}, huge...),                           // 2^46 delete ranges
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1},  // varUint overflow
	} {
		require.Error(t, ValidateUpdate(b))
		_, err := MergeUpdates(b, b)
		require.Error(t, err)
		_, err = DiffUpdate(b, []byte{0})
		require.Error(t, err)
		_, err = DecodeStateVector(b)
		require.Error(t, err)
		_, err = DecodeAwareness(b)
		require.Error(t, err)
		_, err = DecodeMessage(append([]byte{0, 1}, b...))
		require.Error(t, err)
	}
}

func TestStrictRefusals(t *testing.T) {
	t.Parallel()
	cases := map[string][]byte{
		"trailing bytes":        {0, 0, 0},
		"empty section":         {1, 0, 5, 0, 0},
		"zero-length GC":        {1, 1, 5, 0, 0, 0, 0},
		"zero-length string":    {1, 1, 5, 0, 4, 1, 1, 't', 0, 0},
		"GC with flag bits":     {1, 1, 5, 0, 0x80, 1, 0},
		"unknown content kind":  {1, 1, 5, 0, 11, 1, 0},
		"unordered clients":     {2, 1, 5, 0, 0, 1, 1, 6, 0, 0, 1, 0},
		"repeated client":       {2, 1, 5, 0, 0, 1, 1, 5, 1, 0, 1, 0},
		"bad parent info":       {1, 1, 5, 0, 1, 2, 1, 0},
		"invalid UTF-8":         {1, 1, 5, 0, 4, 1, 1, 't', 2, 0xc3, 0x28, 0},
		"invalid JSON embed":    {1, 1, 5, 0, 5, 1, 1, 't', 1, '{', 0},
		"unknown type ref":      {1, 1, 5, 0, 7, 1, 1, 't', 7, 0},
		"huge type ref":         {1, 1, 5, 0, 7, 1, 1, 't', 0x83, 0x02, 0},
		"unknown any tag":       {1, 1, 5, 0, 8, 1, 1, 't', 1, 0x70, 0},
		"null subdoc opts":      {1, 1, 5, 0, 9, 1, 1, 't', 1, 'g', 126, 0},
		"empty delete range":    {0, 1, 5, 1, 3, 0},
		"clock overflow":        {1, 1, 5, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 2, 0},
		"delete range overflow": {0, 1, 5, 1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 2},
	}
	for name, b := range cases {
		err := ValidateUpdate(b)
		require.ErrorIs(t, err, ErrMalformed, name)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	u := histories(t)[0].Merges[0].Result
	var le *LimitError
	err := ValidateUpdateLimits(u, Limits{MaxUpdateBytes: 10})
	require.ErrorAs(t, err, &le)
	require.Equal(t, "MaxUpdateBytes", le.Limit)
	require.ErrorIs(t, err, ErrTooLarge)

	err = ValidateUpdateLimits(u, Limits{MaxStructs: 3})
	require.ErrorAs(t, err, &le)
	require.Equal(t, "MaxStructs", le.Limit)

	_, err = MergeUpdatesLimits(Limits{MaxDocumentBytes: 100}, u, u)
	require.ErrorAs(t, err, &le)
	require.Equal(t, "MaxDocumentBytes", le.Limit)

	long := append([]byte{1, 1, 5, 0, 4, 1, 1, 't', 0x80, 0x08}, bytes.Repeat([]byte{'x'}, 1024)...)
	long = append(long, 0)
	require.NoError(t, ValidateUpdate(long))
	err = ValidateUpdateLimits(long, Limits{MaxStringBytes: 1000})
	require.ErrorAs(t, err, &le)
	require.Equal(t, "MaxStringBytes", le.Limit)

	deep := []byte{1, 1, 5, 0, 8, 1, 1, 't', 1}
	for range 70 {
		deep = append(deep, anyArray, 1)
	}
	deep = append(deep, anyNull, 0)
	err = ValidateUpdate(deep)
	require.ErrorAs(t, err, &le)
	require.Equal(t, "MaxAnyDepth", le.Limit)
	require.NoError(t, ValidateUpdateLimits(deep, Limits{MaxAnyDepth: 100}))

	err = ValidateUpdateLimits([]byte{3, 0}, Limits{MaxClients: 2})
	require.ErrorAs(t, err, &le)
	require.Equal(t, "MaxClients", le.Limit)
}
