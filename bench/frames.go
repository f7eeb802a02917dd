package bench

import "encoding/json"

// clientFrame is a client message of PROTOCOL.md §4.
type clientFrame struct {
	Type       string          `json:"type"`
	Ref        string          `json:"ref,omitempty"`
	Sub        string          `json:"sub,omitempty"`
	Collection string          `json:"collection"`
	ID         string          `json:"id,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Limit      int             `json:"limit,omitempty"`
}

func encode(f clientFrame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err) // cannot happen: plain strings and data the benchmark made itself
	}
	return b
}

func subscribeFrame(sub, collection string, limit int) []byte {
	return encode(clientFrame{Type: "subscribe", Sub: sub, Collection: collection, Limit: limit})
}

// createFrame is a confirmed create: the server answers with an ack naming ref.
func createFrame(ref, collection string, data []byte) []byte {
	return encode(clientFrame{Type: "create", Ref: ref, Collection: collection, Data: data})
}

// putFrame is a confirmed put (an upsert that merges data into the record).
func putFrame(ref, collection, id string, data []byte) []byte {
	return encode(clientFrame{Type: "put", Ref: ref, Collection: collection, ID: id, Data: data})
}
