package yjs

// DiffUpdate returns what update holds beyond stateVector, under
// DefaultLimits.
func DiffUpdate(update, stateVector []byte) ([]byte, error) {
	return DiffUpdateLimits(update, stateVector, DefaultLimits())
}

// DiffUpdateLimits returns the part of update that a peer with stateVector
// lacks, as yjs's diffUpdate does and with the same bytes: each client's
// structs from the peer's clock on (the first one cut where the clock falls
// inside it), and the whole delete set, since a state vector says nothing
// about deletions. update and the result are bounded by
// lim.MaxDocumentBytes.
func DiffUpdateLimits(update, stateVector []byte, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	if len(update) > lim.MaxDocumentBytes {
		return nil, tooLarge("MaxDocumentBytes", lim.MaxDocumentBytes)
	}
	known, err := DecodeStateVectorLimits(stateVector, lim)
	if err != nil {
		return nil, err
	}
	var r structReader
	r.init(update, &lim)
	var w updateWriter
	s, ok := r.next()
	for ok && w.body.Len() <= lim.MaxDocumentBytes {
		if s.Kind == StructSkip { // a section never starts with a Skip
			s, ok = r.next()
			continue
		}
		client, have := s.ID.Client, known[s.ID.Client]
		if s.End() <= have { // the peer has it: pass over what it has
			for s, ok = r.next(); ok && s.ID.Client == client && s.End() <= have; s, ok = r.next() {
			}
			continue
		}
		first := sliceStruct(s, have-min(have, s.ID.Clock))
		w.write(&first)
		for s, ok = r.next(); ok && s.ID.Client == client; s, ok = r.next() {
			w.write(&s)
		}
	}
	if w.body.Len() > lim.MaxDocumentBytes {
		return nil, tooLarge("MaxDocumentBytes", lim.MaxDocumentBytes)
	}
	if r.err != nil {
		return nil, r.err
	}
	return w.finish(r.deletes), nil
}
