package records

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// distinctSchema is a document of about 1.3 MiB once parsed (schema.Bytes), different for each i.
func distinctSchema(i int) []byte {
	fields := make([]string, 1000)
	for j := range fields {
		fields[j] = fmt.Sprintf(`"f%d": {}`, j)
	}
	return fmt.Appendf(nil, `{"collections": {"c%d": {"fields": {%s}}}}`, i, strings.Join(fields, ","))
}

// The parsed-schema cache holds what its byte bound allows, whatever the count, and keeps the
// schemas used lately: before, it held 1,024 schemas of any size and was cleared whole when full.
func TestSchemaCacheIsBoundedByBytes(t *testing.T) {
	t.Parallel()
	const max = 16 << 20
	c := newSchemaCache(max)
	first, key, err := c.parse(distinctSchema(0))
	require.NoError(t, err)
	weight := first.Bytes()
	require.Greater(t, weight, 1<<20)
	for i := 1; i < 100; i++ {
		_, _, err := c.parse(distinctSchema(i))
		require.NoError(t, err)
		require.LessOrEqual(t, c.bytes, max)
		require.NotNil(t, c.get(key), "the schema used at every step stays") // and is used again
	}
	require.Equal(t, max/weight, c.lru.Len(), "as many as fit")
	require.Nil(t, c.get(distinctSchema1Key()), "the least recently used went first")

	again, _, err := c.parse(distinctSchema(0))
	require.NoError(t, err)
	require.Same(t, first, again, "a cached schema is not parsed again")
}

func distinctSchema1Key() [32]byte {
	_, key, _ := newSchemaCache(0).parse(distinctSchema(1)) // max 0: parsed, never kept
	return key
}

// A schema heavier than the whole bound is not kept (it would evict everything else and still
// exceed it); it is still parsed and returned.
func TestSchemaCacheSkipsTooHeavy(t *testing.T) {
	t.Parallel()
	c := newSchemaCache(1 << 20)
	s, key, err := c.parse(distinctSchema(0))
	require.NoError(t, err)
	require.NotNil(t, s)
	require.Nil(t, c.get(key))
	require.Zero(t, c.bytes)
}
