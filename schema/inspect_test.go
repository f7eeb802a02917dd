package schema

import "slices"

// The tests look at a parsed schema through these; the server asks only Collection.

// IsOpen reports whether s is open mode rather than a schema document.
func (s *Schema) IsOpen() bool { return s.open }

// Names lists the collections a schema declares, sorted; nil in open mode.
func (s *Schema) Names() []string {
	if s.open {
		return nil
	}
	names := make([]string, 0, len(s.collections))
	for name := range s.collections {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
