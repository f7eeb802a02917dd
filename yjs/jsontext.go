package yjs

import "encoding/json"

// checkJSON checks that b is one JSON text, as JavaScript's JSON.parse
// accepts it (Go's grammar is the same: RFC 8259, with the same four
// whitespace characters), nested at most maxDepth deep. b must already be
// valid UTF-8.
func checkJSON(b []byte, maxDepth int, offset int) error {
	if !json.Valid(b) {
		return malformed("invalid JSON", offset)
	}
	if jsonDepth(b) > maxDepth {
		return tooLarge("MaxAnyDepth", maxDepth)
	}
	return nil
}

// jsonDepth returns how deeply arrays and objects nest in valid JSON b.
func jsonDepth(b []byte) int {
	depth, max := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				max = depth
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return max
}
