package yjs

import "context"

// V1 struct info byte: the low five bits are the content kind (0 = GC,
// 10 = Skip); the high bits say which fields follow.
const (
	infoContent     = 0x1f
	infoOrigin      = 0x80
	infoRightOrigin = 0x40
	infoParentSub   = 0x20
	infoSkip        = 10
)

// structReader streams the structs of a V1 update one at a time, checking
// each, so that work on whole documents holds one struct per input rather
// than the whole document. After the last struct it reads the delete set
// and refuses trailing bytes; errors end the stream and stay in err.
type structReader struct {
	d          Decoder
	lim        *Limits
	sections   uint64 // client sections not started yet
	left       uint64 // structs left in the current section
	client     uint64
	clock      uint64
	started    bool // a section was started: client order is checked
	skipSkips  bool // hide Skip structs, as yjs's merge does
	maxStructs int  // 0: no limit
	structs    int
	done       bool
	deletes    DeleteSet
	err        error
	stop       *stopper // nil: never stops early
}

// checkEvery is how many structs a stopper lets by between looks at its context: a look takes
// a lock, and that many structs take well under a millisecond.
const checkEvery = 4096

// stopper ends a long decode or merge when its context ends. The readers of one merge share
// one, so that many small inputs count together.
type stopper struct {
	ctx  context.Context
	seen int
	err  error
}

func newStopper(ctx context.Context) *stopper { return &stopper{ctx: ctx} }

// tick counts one struct and answers the context's error, looking at the first struct and
// every checkEvery after; once ended, always.
func (s *stopper) tick() error {
	if s == nil {
		return nil
	}
	if s.err == nil && s.seen%checkEvery == 0 {
		s.err = s.ctx.Err()
	}
	s.seen++
	return s.err
}

func (r *structReader) init(b []byte, lim *Limits) {
	r.d = Decoder{buf: b}
	r.lim = lim
	n, err := r.d.ReadVarUint()
	switch {
	case err != nil:
		r.fail(err)
	case n > uint64(lim.MaxClients):
		r.fail(tooLarge("MaxClients", lim.MaxClients))
	}
	r.sections = n
}

func (r *structReader) fail(err error) {
	r.err = err
	r.done = true
}

// next returns the next struct, or false at the end or on error.
func (r *structReader) next() (Struct, bool) {
	for !r.done {
		if r.left == 0 {
			r.startSection()
			continue
		}
		if err := r.stop.tick(); err != nil {
			r.fail(err)
			break
		}
		s, err := r.readStruct()
		if err != nil {
			r.fail(err)
			break
		}
		r.left--
		if r.skipSkips && s.Kind == StructSkip {
			continue
		}
		return s, true
	}
	return Struct{}, false
}

// startSection reads a client section's header, or the delete set after
// the last section.
func (r *structReader) startSection() {
	if r.sections == 0 {
		r.finish()
		return
	}
	r.sections--
	start := r.d.pos
	count, err := r.d.ReadVarUint()
	if err != nil {
		r.fail(err)
		return
	}
	client, err := r.d.ReadVarUint()
	if err != nil {
		r.fail(err)
		return
	}
	clock, err := r.d.ReadVarUint()
	switch {
	case err != nil:
		r.fail(err)
	case count == 0:
		r.fail(malformed("empty client section", start))
	case r.started && client >= r.client:
		// yjs writes clients in descending order and its merge loses
		// structs of sections out of that order, so they are refused.
		r.fail(malformed("client sections not in descending order", start))
	default:
		r.started = true
		r.client, r.clock, r.left = client, clock, count
	}
}

func (r *structReader) finish() {
	ds, err := readDeleteSet(&r.d, r.lim)
	switch {
	case err != nil:
		r.fail(err)
	case r.d.Len() > 0:
		r.fail(r.d.fail("trailing bytes after the update"))
	default:
		r.deletes = ds
		r.done = true
	}
}

// readStruct reads one struct at the current clock and advances the clock.
func (r *structReader) readStruct() (Struct, error) {
	if r.structs++; r.maxStructs > 0 && r.structs > r.maxStructs {
		return Struct{}, tooLarge("MaxStructs", r.maxStructs)
	}
	start := r.d.pos
	info, err := r.d.ReadUint8()
	if err != nil {
		return Struct{}, err
	}
	s := Struct{ID: ID{Client: r.client, Clock: r.clock}}
	switch {
	case info == 0:
		s.Kind = StructGC
		s.Length, err = r.d.ReadVarUint()
	case info == infoSkip:
		s.Kind = StructSkip
		s.Length, err = r.d.ReadVarUint()
	case info&infoContent == 0 || info&infoContent > uint8(ContentDoc):
		return s, malformed("bad struct info byte", start)
	default:
		err = r.readItem(&s, info)
	}
	if err != nil {
		return s, err
	}
	if s.Length == 0 {
		return s, malformed("zero-length struct", start)
	}
	if s.Length > MaxSafeInteger-r.clock {
		return s, malformed("struct beyond the largest clock", start)
	}
	r.clock += s.Length
	return s, nil
}

// readItem reads an item's origins, parent and content.
func (r *structReader) readItem(s *Struct, info byte) error {
	s.Kind = StructItem
	var err error
	if info&infoOrigin != 0 {
		s.HasOrigin = true
		if s.Origin, err = r.readID(); err != nil {
			return err
		}
	}
	if info&infoRightOrigin != 0 {
		s.HasRightOrigin = true
		if s.RightOrigin, err = r.readID(); err != nil {
			return err
		}
	}
	if !s.HasOrigin && !s.HasRightOrigin {
		if err := r.readParent(s, info); err != nil {
			return err
		}
	}
	s.Content, s.Length, err = readContent(&r.d, ContentKind(info&infoContent), r.lim)
	return err
}

// readParent reads the parent of an item without origins: a root type's
// name or the ID of the item holding the parent type, then the map key.
// (With an origin, yjs neither writes nor reads the key even though the
// info byte may flag it.)
func (r *structReader) readParent(s *Struct, info byte) error {
	start := r.d.pos
	kind, err := r.d.ReadVarUint()
	if err != nil {
		return err
	}
	switch kind {
	case 1:
		s.Parent = ParentRoot
		s.ParentName, err = readKey(&r.d, r.lim)
	case 0:
		s.Parent = ParentItem
		s.ParentID, err = r.readID()
	default:
		return malformed("bad parent info", start)
	}
	if err == nil && info&infoParentSub != 0 {
		s.HasParentSub = true
		s.ParentSub, err = readKey(&r.d, r.lim)
	}
	return err
}

func (r *structReader) readID() (ID, error) {
	client, err := r.d.ReadVarUint()
	if err != nil {
		return ID{}, err
	}
	clock, err := r.d.ReadVarUint()
	return ID{Client: client, Clock: clock}, err
}
