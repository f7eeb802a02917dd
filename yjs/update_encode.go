package yjs

// updateWriter writes structs the way yjs's LazyStructWriter does: runs of
// structs of one client form a section headed by the count, the client and
// the first clock. Counts are only known at the end, so section bodies go
// to one buffer and the header is assembled when finishing.
type updateWriter struct {
	body     Encoder
	sections []sectionMark
	client   uint64
}

type sectionMark struct {
	start int    // offset of the section (its client) in body
	count uint64 // structs in it
}

// write appends s, starting a new section when the client changes.
func (w *updateWriter) write(s *Struct) {
	n := len(w.sections)
	if n == 0 || w.client != s.ID.Client {
		w.sections = append(w.sections, sectionMark{start: w.body.Len()})
		n++
		w.client = s.ID.Client
		w.body.WriteVarUint(s.ID.Client)
		w.body.WriteVarUint(s.ID.Clock)
	}
	w.sections[n-1].count++
	writeStruct(&w.body, s)
}

// finish writes the sections, then ds, and returns the update.
func (w *updateWriter) finish(ds DeleteSet) []byte {
	var out Encoder
	out.buf = make([]byte, 0, w.body.Len()+4*len(w.sections)+8)
	out.WriteVarUint(uint64(len(w.sections)))
	for i, sec := range w.sections {
		end := w.body.Len()
		if i+1 < len(w.sections) {
			end = w.sections[i+1].start
		}
		out.WriteVarUint(sec.count)
		out.WriteBytes(w.body.buf[sec.start:end])
	}
	writeDeleteSet(&out, ds)
	return out.buf
}

// writeStruct encodes one struct as yjs's Item.write, GC.write and
// Skip.write do with offset 0. The info byte is rebuilt from the fields, so
// a parent-sub flag that yjs ignored when reading is not written back.
func writeStruct(e *Encoder, s *Struct) {
	switch s.Kind {
	case StructGC:
		e.WriteUint8(0)
		e.WriteVarUint(s.Length)
		return
	case StructSkip:
		e.WriteUint8(infoSkip)
		e.WriteVarUint(s.Length)
		return
	}
	info := byte(s.Content.Kind) & infoContent
	if s.HasOrigin {
		info |= infoOrigin
	}
	if s.HasRightOrigin {
		info |= infoRightOrigin
	}
	if s.HasParentSub {
		info |= infoParentSub
	}
	e.WriteUint8(info)
	if s.HasOrigin {
		writeID(e, s.Origin)
	}
	if s.HasRightOrigin {
		writeID(e, s.RightOrigin)
	}
	if !s.HasOrigin && !s.HasRightOrigin {
		writeParent(e, s)
	}
	writeContent(e, &s.Content, s.Length)
}

func writeID(e *Encoder, id ID) {
	e.WriteVarUint(id.Client)
	e.WriteVarUint(id.Clock)
}

func writeParent(e *Encoder, s *Struct) {
	if s.Parent == ParentItem {
		e.WriteVarUint(0)
		writeID(e, s.ParentID)
	} else {
		e.WriteVarUint(1)
		e.WriteVarString(s.ParentName)
	}
	if s.HasParentSub {
		e.WriteVarString(s.ParentSub)
	}
}

// writeContent encodes content; length is the struct's, which for Deleted,
// Any and JSON content is also the count written.
func writeContent(e *Encoder, c *Content, length uint64) {
	switch c.Kind {
	case ContentDeleted:
		e.WriteVarUint(length)
	case ContentJSON, ContentAny:
		e.WriteVarUint(length)
		e.WriteBytes(c.Data)
	case ContentBinary, ContentString, ContentEmbed:
		e.WriteVarUint8Array(c.Data)
	case ContentFormat:
		e.WriteVarString(c.Key)
		e.WriteVarUint8Array(c.Data)
	case ContentType:
		e.WriteVarUint(uint64(c.TypeRef))
		if c.TypeRef == TypeXMLElement || c.TypeRef == TypeXMLHook {
			e.WriteVarString(c.Key)
		}
	case ContentDoc:
		e.WriteVarString(c.Key)
		e.WriteBytes(c.Data)
	}
}

// Encode writes u as a V1 update in the form yjs writes when it re-encodes
// decoded structs (as diffUpdate and mergeUpdates do): for an update yjs
// made, Encode(DecodeUpdate(b)) equals yjs's diffUpdate(b, emptyStateVector).
// Consecutive structs of one client form one section; delete set clients
// are written in descending order.
func (u *Update) Encode() []byte {
	var w updateWriter
	for i := range u.Structs {
		w.write(&u.Structs[i])
	}
	return w.finish(u.Deletes)
}
