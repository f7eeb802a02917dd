package filter

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecimalOrder(t *testing.T) {
	t.Parallel()
	// Each group holds equal numbers; groups ascend.
	groups := [][]string{
		{"-1e21", "-1000000000000000000000"},
		{"-100", "-1e2", "-100.000"},
		{"-1.5", "-15e-1", "-0.15E1"},
		{"-1", "-1.0", "-0.1e1"},
		{"-0.5"},
		{"0", "-0", "0.000", "0e5", "-0.0e-7"},
		{"1e-20", "0.00000000000000000001"},
		{"0.1", "1e-1", "1E-1", "0.10"},
		{"1", "1.0", "1e0", "10e-1", "0.1e1", "1.000e+0"},
		{"1.5", "1.50", "15e-1"},
		{"10", "1e1", "10.0", "0.01e3"},
		{"100.5"},
		{"99999999999999999999"},
		{"99999999999999999999.5"},
		{"1e21", "1000000000000000000000"},
	}
	for i, g := range groups {
		for _, a := range g {
			da, ok := parseDecimal(a)
			require.True(t, ok, a)
			for j, h := range groups {
				for _, b := range h {
					db, _ := parseDecimal(b)
					require.Equal(t, cmpInt(i, j), da.cmp(db), "%s vs %s", a, b)
				}
			}
			// The cursor's rendering reads back to the same number.
			back, ok := parseDecimal(da.String())
			require.True(t, ok, da.String())
			require.Equal(t, 0, back.cmp(da), "%s → %s", a, da.String())
		}
	}
}

func TestDecimalAgreesWithBigRat(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	num := func() string {
		s := ""
		if r.IntN(2) == 0 {
			s = "-"
		}
		s += fmt.Sprint(r.IntN(1000))
		if r.IntN(2) == 0 {
			s += "." + fmt.Sprintf("%0*d", 1+r.IntN(3), r.IntN(1000))
		}
		if r.IntN(3) == 0 {
			s += fmt.Sprintf("e%d", r.IntN(9)-4)
		}
		return s
	}
	for range 20000 {
		a, b := num(), num()
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		da, ok := parseDecimal(a)
		require.True(t, ok, a)
		db, ok := parseDecimal(b)
		require.True(t, ok, b)
		require.Equal(t, ra.Cmp(rb), da.cmp(db), "%s vs %s", a, b)
	}
}

func TestToDecimalReadsGoNumbers(t *testing.T) {
	t.Parallel()
	for _, v := range []any{json.Number("1.5"), 1.5, json.Number("2"), 2, int64(2), 2.0} {
		_, ok := toDecimal(v)
		require.True(t, ok, "%T", v)
	}
	require.True(t, jsonEqual(2, json.Number("2.0")))
	require.True(t, jsonEqual(1.5, json.Number("15e-1")))
	require.False(t, jsonEqual("1", json.Number("1")))
}

func TestCheckNumberMatchesPostgresNumeric(t *testing.T) {
	t.Parallel()
	// Accepted and refused exactly as `SELECT '<n>'::jsonb` does on Postgres 15.
	for n, ok := range map[string]bool{
		"1e-16383": true, "1e-16384": false, "0.5e-16383": false, "0e-16383": true, "0e-16384": false,
		"1e131071": true, "1e131072": false, "10e131071": false, "1E+5": true, "-0": true,
		"1e9999999999": false,
	} {
		require.Equal(t, ok, checkNumber(n) == "", n)
	}
}

func TestHashArrowSafe(t *testing.T) {
	t.Parallel()
	for segs, safe := range map[string]bool{
		"a":     true,
		"0":     true, // the first segment meets data, always an object
		"a.b":   true,
		"a.0":   false,
		"a.-1":  false,
		"a.+1":  false,
		"a. 1":  false,
		"a.\t1": false,
		"a.ü":   false, // conservative
		"a.b0":  true,
	} {
		require.Equal(t, safe, hashArrowSafe(splitPath(segs)), segs)
	}
}

func splitPath(s string) []string {
	f, err := parseField(s, rootPath("test"))
	if err != nil {
		panic(err)
	}
	return f.path
}
