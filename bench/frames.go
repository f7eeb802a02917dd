package bench

import (
	"encoding/json"

	"github.com/recordroom/recordroom/protocol"
)

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // cannot happen: plain strings and data the benchmark made itself
	}
	return b
}

func subscribeFrame(sub, collection string, limit int) []byte {
	return encode(protocol.Subscribe{Type: protocol.TypeSubscribe, Sub: sub, Collection: collection, Limit: limit})
}

// createFrame is a confirmed create: the server answers with an ack naming ref.
func createFrame(ref, collection string, data []byte) []byte {
	return encode(protocol.Mutation{Type: protocol.TypeCreate, Ref: ref, Collection: collection, Data: data})
}

// putFrame is a confirmed put (an upsert that merges data into the record).
func putFrame(ref, collection, id string, data []byte) []byte {
	return encode(protocol.Mutation{Type: protocol.TypePut, Ref: ref, Collection: collection, ID: id, Data: data})
}

// queryFrame subscribes with a where and an orderBy (either may be nil).
func queryFrame(sub, collection string, where []byte, orderBy []protocol.OrderKey, limit int) []byte {
	return encode(protocol.Subscribe{Type: protocol.TypeSubscribe, Sub: sub, Collection: collection, Where: where, OrderBy: orderBy, Limit: limit})
}

// fireFrame is a fire-and-forget create: no ref, so no ack, only an error if it fails.
func fireFrame(collection string, data []byte) []byte {
	return encode(protocol.Mutation{Type: protocol.TypeCreate, Collection: collection, Data: data})
}
