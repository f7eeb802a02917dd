package yjs

// sliceStruct returns s without its first k clock units (0 < k < s.Length),
// as yjs's sliceStruct does in merges and as Item.write(encoder, offset)
// writes it in diffs: the rest of an item is positioned after its own
// previous unit, so it gets that as origin and needs no parent.
func sliceStruct(s Struct, k uint64) Struct {
	if k == 0 {
		return s
	}
	s.ID.Clock += k
	s.Length -= k
	if s.Kind != StructItem {
		return s
	}
	s.HasOrigin = true
	s.Origin = ID{Client: s.ID.Client, Clock: s.ID.Clock - 1}
	switch s.Content.Kind {
	case ContentString:
		s.Content.Data = dropUTF16(s.Content.Data, k)
	case ContentAny:
		s.Content.Data = dropAnyValues(s.Content.Data, k)
	case ContentJSON:
		s.Content.Data = dropJSONValues(s.Content.Data, k)
	}
	return s
}

// dropAnyValues returns validated "any" values b without the first k.
func dropAnyValues(b []byte, k uint64) []byte {
	d := Decoder{buf: b}
	lim := DefaultLimits().withDefaults()
	lim.MaxAnyDepth, lim.MaxStringBytes = maxAnyDepthCap, len(b)
	for ; k > 0; k-- {
		if d.skipAny(&lim) != nil {
			break // cannot happen: b was validated when read
		}
	}
	return b[d.pos:]
}

// dropJSONValues returns validated varStrings b without the first k.
func dropJSONValues(b []byte, k uint64) []byte {
	d := Decoder{buf: b}
	for ; k > 0; k-- {
		if _, err := d.ReadVarUint8Array(); err != nil {
			break // cannot happen: b was validated when read
		}
	}
	return b[d.pos:]
}
