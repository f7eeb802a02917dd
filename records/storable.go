package records

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/schema"
)

// checkStorable finds in data (valid JSON) what Postgres would refuse to store in a jsonb column,
// or store as a value far larger than its text: a \u0000 escape, an escaped surrogate without its
// pair, invalid UTF-8, and numbers beyond schema.NumberProblem's bounds. A write Postgres refuses
// fails its group-commit batch's statement, and every write of that batch is then tried alone, so
// such data is refused before it joins a batch, with the path of the offending value.
//
// One pass over the bytes, keeping only a stack of the containers it is in.
func checkStorable(data []byte) error {
	var stack []scanFrame
	expectKey := false
	for i := 0; i < len(data); {
		switch c := data[i]; {
		case c == '{' || c == '[':
			stack = append(stack, scanFrame{array: c == '['})
			expectKey = c == '{'
			i++
		case c == '}' || c == ']':
			stack = stack[:len(stack)-1]
			i++
		case c == ',':
			if top := &stack[len(stack)-1]; top.array {
				top.index++
			} else {
				expectKey = true
			}
			i++
		case c == ':':
			expectKey = false
			i++
		case c == '"':
			end, problem := scanString(data, i)
			if expectKey {
				stack[len(stack)-1].key = data[i:end]
			}
			if problem != "" {
				return unstorable(stack, problem)
			}
			i = end
		case c == '-' || '0' <= c && c <= '9':
			end := i + 1
			for end < len(data) && strings.IndexByte("+-.eE0123456789", data[end]) >= 0 {
				end++
			}
			if problem := schema.NumberProblem(string(data[i:end])); problem != "" {
				return unstorable(stack, problem)
			}
			i = end
		default: // white space, true, false, null
			i++
		}
	}
	return nil
}

// scanFrame is a container checkStorable is in: an array at index, or an object at the member
// whose key (raw, quoted) it read last.
type scanFrame struct {
	array bool
	index int
	key   []byte
}

// scanString reads the string starting at data[start] (its opening quote): the index just after
// it, and the first thing in it that Postgres could not store.
func scanString(data []byte, start int) (end int, problem string) {
	i := start + 1
	for data[i] != '"' {
		switch {
		case data[i] != '\\':
			i++
		case data[i+1] != 'u':
			i += 2
		default:
			r, paired := hex4(data[i+2:i+6]), false
			if 0xD800 <= r && r <= 0xDBFF && i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				low := hex4(data[i+8 : i+12])
				paired = 0xDC00 <= low && low <= 0xDFFF
			}
			switch {
			case problem != "":
			case r == 0:
				problem = `contains \u0000, which cannot be stored`
			case 0xD800 <= r && r <= 0xDFFF && !paired:
				problem = "contains an unpaired surrogate escape"
			}
			i += 6
			if paired {
				i += 6
			}
		}
	}
	end = i + 1
	if problem == "" && !utf8.Valid(data[start:end]) {
		problem = "is not valid UTF-8"
	}
	return end, problem
}

// hex4 is the value of four hex digits (valid JSON guarantees them).
func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(v)
}

// unstorable is the error for a problem at the innermost member of stack.
func unstorable(stack []scanFrame, problem string) error {
	parts := make([]string, 0, len(stack))
	for _, f := range stack {
		if f.array {
			parts = append(parts, strconv.Itoa(f.index))
			continue
		}
		var key string
		_ = json.Unmarshal(f.key, &key) // valid JSON: it decodes
		parts = append(parts, key)
	}
	path := strings.Join(parts, ".")
	e := protocol.New(protocol.BadRequest, "data cannot be stored: %s %s", protocol.Clip(path), problem)
	e.Details = []protocol.Detail{{Path: path, Message: problem}}
	return e
}
