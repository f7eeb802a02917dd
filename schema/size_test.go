package schema

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// schemaOf builds a document of n collections, each with the fields item(j) for j < fields.
func schemaOf(n, fields int, item func(j int) string) string {
	var b strings.Builder
	b.WriteString(`{"collections": {`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"c%04d": {"access": {"read": "member", "write": "member"}, "fields": {`, i)
		for j := range fields {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"f%d": %s`, j, item(j))
		}
		b.WriteString("}}")
	}
	b.WriteString("}}")
	return b.String()
}

func oneField(spec string) string { return `{"collections": {"t": {"fields": {"x": ` + spec + `}}}}` }

// sizeShapes are documents whose memory is made of different things: subschemas, long pointers,
// decoded values, regular expressions.
func sizeShapes() map[string]string {
	deep := `{}`
	for range MaxSpecDepth/2 - 1 {
		deep = `{"properties": {"` + strings.Repeat("n", 10000) + `": ` + deep + `}}`
	}
	return map[string]string{
		"typical":     schemaOf(1000, 5, func(int) string { return `{"type": "string", "maxLength": 100, "required": true}` }),
		"no fields":   schemaOf(1000, 0, nil),
		"empty specs": schemaOf(10, 1000, func(int) string { return `{}` }),
		"anyOf":       schemaOf(3, 1, func(int) string { return `{"anyOf": [` + strings.Repeat(`{},`, 2998) + `{}]}` }),
		"deep":        oneField(deep),
		"enum":        oneField(`{"enum": [` + strings.Repeat(`1,`, 300000) + `1]}`),
		"strings":     oneField(`{"examples": [` + strings.Repeat(`"",`, 200000) + `""]}`),
		"objects":     oneField(`{"default": [` + strings.Repeat(`{"a": {}},`, 60000) + `{}]}`),
		"numbers":     schemaOf(1, 1000, func(int) string { return `{"minimum": 1.5, "maximum": 1e300, "multipleOf": 0.25}` }),
		"patterns":    schemaOf(1, 12, func(int) string { return `{"pattern": "^a{1,1000}b{1,1000}$"}` }),
	}
}

// retained measures the heap a parsed doc keeps, averaged over a few copies. The test using it
// is not parallel: parallel tests wait until it is done, so the heap holds nothing else new.
func retained(t *testing.T, doc string) int {
	const copies = 3
	keep := make([]*Schema, copies)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		s, err := Parse([]byte(doc))
		require.NoError(t, err)
		keep[i] = s
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return int(after.HeapAlloc-before.HeapAlloc) / copies
}

// Bytes is what a cache of parsed schemas weighs them by: it must not be below what a parsed
// schema keeps (or the cache's bound is not one), nor so far above that the cache holds little.
func TestBytesBoundsRetainedMemory(t *testing.T) {
	for name, doc := range sizeShapes() {
		s, err := Parse([]byte(doc))
		require.NoError(t, err, name)
		got := retained(t, doc)
		t.Logf("%-11s document %7d bytes, keeps %8d (%5.1f×), Bytes %8d (%.2f× what it keeps)",
			name, len(doc), got, float64(got)/float64(len(doc)), s.Bytes(), float64(s.Bytes())/float64(got))
		require.GreaterOrEqual(t, s.Bytes(), got, name)
		require.LessOrEqual(t, s.Bytes(), 3*got, name)
	}
}

// Parsing costs in proportion to the document: twice the collections, or twice the fields in
// one collection, allocate about twice the bytes (nothing is compiled per collection that all
// share, and no loop is quadratic in what it allocates). Not parallel, like the test above.
func TestParseCostIsLinear(t *testing.T) {
	field := func(int) string { return `{"type": "string", "maxLength": 100, "required": true}` }
	for name, docs := range map[string][2]string{
		"collections": {schemaOf(100, 5, field), schemaOf(200, 5, field)},
		"fields":      {schemaOf(1, 400, field), schemaOf(1, 800, field)},
	} {
		n, twice := allocated(t, docs[0]), allocated(t, docs[1])
		t.Logf("%s: %d bytes allocated, twice as many: %d (%.2f×)", name, n, twice, float64(twice)/float64(n))
		require.InDelta(t, 2, float64(twice)/float64(n), 0.2, name)
	}
}

func allocated(t *testing.T, doc string) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse([]byte(doc))
	require.NoError(t, err)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestCheckSize(t *testing.T) {
	t.Parallel()
	parse := func(doc string) *Schema {
		s, err := Parse([]byte(doc))
		require.NoError(t, err)
		return s
	}
	require.NoError(t, parse(protocolExample).CheckSize())
	require.NoError(t, parse(schemaOf(MaxNewCollections, 1, func(int) string { return `{}` })).CheckSize())

	err := parse(schemaOf(MaxNewCollections+1, 0, nil)).CheckSize()
	require.EqualError(t, err, "collections: has 257 collections, at most 256 are allowed")

	long := `{"description": "` + strings.Repeat("d", MaxDocumentBytes) + `"}`
	err = parse(oneField(long)).CheckSize()
	require.ErrorContains(t, err, "the document is 262206 bytes, at most 262144 (256 KiB) are allowed")

	// 9000 subschemas in 27 KB: small text, large compiled form.
	err = parse(schemaOf(3, 1, func(int) string { return `{"anyOf": [` + strings.Repeat(`{},`, 2998) + `{}]}` })).CheckSize()
	require.ErrorContains(t, err, "compiled, the schema would take about 9.")
	require.ErrorContains(t, err, "MiB of server memory, at most 8 MiB are allowed")
}
