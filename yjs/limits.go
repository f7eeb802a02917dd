package yjs

// Limits bounds what the decoders accept, so that hostile input costs at
// most time and memory proportional to a size the caller chose. A zero field
// means its default (see DefaultLimits).
type Limits struct {
	// MaxUpdateBytes bounds one incoming update (DecodeUpdate, ValidateUpdate).
	MaxUpdateBytes int
	// MaxDocumentBytes bounds each input and the output of the functions that
	// work on whole documents: MergeUpdates, DiffUpdate, StateVectorFromUpdate.
	MaxDocumentBytes int
	// MaxStructs bounds the structs of one incoming update (DecodeUpdate,
	// ValidateUpdate). The document functions stream structs one at a time
	// and need no such bound.
	MaxStructs int
	// MaxStringBytes bounds every string and byte array inside an update or
	// awareness message (text, keys, JSON, binary content).
	MaxStringBytes int
	// MaxAnyDepth bounds the nesting of lib0 "any" values and JSON texts.
	MaxAnyDepth int
	// MaxClients bounds the client sections of an update, the clients of a
	// delete set, the entries of a state vector and of an awareness update.
	MaxClients int
}

// DefaultLimits returns the limits used by the functions without a Limits
// argument: 1 MiB updates (the WebSocket frame limit), 64 MiB documents.
func DefaultLimits() Limits {
	return Limits{
		MaxUpdateBytes:   1 << 20,
		MaxDocumentBytes: 64 << 20,
		MaxStructs:       1 << 20,
		MaxStringBytes:   1 << 20,
		MaxAnyDepth:      64,
		MaxClients:       100_000,
	}
}

// maxAnyDepthCap keeps recursive decoding (ReadAny) far from the stack limit
// whatever the caller configured.
const maxAnyDepthCap = 10_000

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	fill := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&l.MaxUpdateBytes, d.MaxUpdateBytes)
	fill(&l.MaxDocumentBytes, d.MaxDocumentBytes)
	fill(&l.MaxStructs, d.MaxStructs)
	fill(&l.MaxStringBytes, d.MaxStringBytes)
	fill(&l.MaxAnyDepth, d.MaxAnyDepth)
	fill(&l.MaxClients, d.MaxClients)
	if l.MaxAnyDepth > maxAnyDepthCap {
		l.MaxAnyDepth = maxAnyDepthCap
	}
	return l
}
