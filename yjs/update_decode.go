package yjs

import "context"

// DecodeUpdate decodes and checks a V1 update under DefaultLimits.
func DecodeUpdate(b []byte) (*Update, error) {
	return DecodeUpdateLimits(b, DefaultLimits())
}

// DecodeUpdateLimits decodes and checks a V1 update: every struct and its
// content, the delete set, and that nothing follows. It refuses what yjs
// clients never write even where yjs would read it leniently (zero-length
// structs, client sections out of descending order or repeated, clocks
// beyond 2^53-1, invalid UTF-8 or JSON). Time is linear in len(b).
func DecodeUpdateLimits(b []byte, lim Limits) (*Update, error) {
	return decodeUpdate(context.Background(), b, lim)
}

// decodeUpdate is DecodeUpdateLimits ending early, with ctx's error, when ctx ends.
func decodeUpdate(ctx context.Context, b []byte, lim Limits) (*Update, error) {
	lim = lim.withDefaults()
	if len(b) > lim.MaxUpdateBytes {
		return nil, tooLarge("MaxUpdateBytes", lim.MaxUpdateBytes)
	}
	var r structReader
	r.init(b, &lim)
	r.maxStructs = lim.MaxStructs
	r.stop = newStopper(ctx)
	u := &Update{Structs: make([]Struct, 0, min(len(b)/4, 1024))}
	for s, ok := r.next(); ok; s, ok = r.next() {
		u.Structs = append(u.Structs, s)
	}
	if r.err != nil {
		return nil, r.err
	}
	u.Deletes = r.deletes
	return u, nil
}

// ValidateUpdate checks a V1 update under DefaultLimits, as DecodeUpdate
// does, without keeping what it decodes.
func ValidateUpdate(b []byte) error {
	return ValidateUpdateLimits(b, DefaultLimits())
}

// ValidateUpdateLimits checks a V1 update as DecodeUpdateLimits does.
func ValidateUpdateLimits(b []byte, lim Limits) error {
	lim = lim.withDefaults()
	if len(b) > lim.MaxUpdateBytes {
		return tooLarge("MaxUpdateBytes", lim.MaxUpdateBytes)
	}
	var r structReader
	r.init(b, &lim)
	r.maxStructs = lim.MaxStructs
	for _, ok := r.next(); ok; _, ok = r.next() {
	}
	return r.err
}
