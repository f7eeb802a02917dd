package schema

import (
	"fmt"
	"slices"

	"github.com/recordroom/recordroom/access"
)

// BlindWrites reports the first collection (by name) whose write level admits callers that its
// read level hides the result from: `read: owner` with `write: member` or `admin` (they could
// change records of others they may not read), `read: admin` with `write: member` or `owner`
// (members could write records they may not read back). A new schema with such a collection is
// refused; one already stored still loads, and the record service refuses the writes its
// readers could not read back (docs/protocol.md). The error's text starts with the
// collection's path.
func (s *Schema) BlindWrites() error {
	names := make([]string, 0, len(s.collections))
	for name := range s.collections {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		c := s.collections[name]
		if blind(c.Read, c.Write) {
			return fmt.Errorf("collections.%s.access: write %q admits callers that read %q hides the records from; "+
				"use write %q, or a read level every writer has", name, c.Write, c.Read, c.Read)
		}
	}
	return nil
}

func blind(read, write access.Level) bool {
	switch read {
	case access.LevelOwner:
		return write != access.LevelOwner
	case access.LevelAdmin:
		return write != access.LevelAdmin
	}
	return false
}
