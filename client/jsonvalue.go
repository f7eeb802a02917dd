package client

import (
	"bytes"
	"encoding/json"
)

// decodeJSON decodes a JSON value keeping numbers exact (json.Number), as the server compares
// them: 99999999999999999999 and 99999999999999999998 differ.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
