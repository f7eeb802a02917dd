package yjs

import "context"

// MergeUpdates merges V1 updates into one under DefaultLimits.
func MergeUpdates(updates ...[]byte) ([]byte, error) {
	return MergeUpdatesLimits(DefaultLimits(), updates...)
}

// MergeUpdatesLimits merges V1 updates into one, as yjs's mergeUpdates does
// and with the same bytes: structs of all updates in one pass, overlaps
// written once, gaps marked by Skip structs, delete sets joined. Like yjs it
// returns a single update unchanged (after checking it). Each update and
// the result are bounded by lim.MaxDocumentBytes.
//
// Time is O(n log k) for n structs in k updates (O(n k), as in yjs, while
// an Item and a GC of two updates start at the same ID); memory holds one
// struct per update plus the result.
func MergeUpdatesLimits(lim Limits, updates ...[]byte) ([]byte, error) {
	return mergeUpdates(context.Background(), lim, updates)
}

// mergeUpdates is MergeUpdatesLimits ending early, with ctx's error, when ctx ends.
func mergeUpdates(ctx context.Context, lim Limits, updates [][]byte) ([]byte, error) {
	lim = lim.withDefaults()
	stop := newStopper(ctx)
	for _, u := range updates {
		if len(u) > lim.MaxDocumentBytes {
			return nil, tooLarge("MaxDocumentBytes", lim.MaxDocumentBytes)
		}
	}
	if len(updates) == 1 {
		if err := checkDocument(updates[0], &lim, stop); err != nil {
			return nil, err
		}
		return updates[0], nil
	}
	m := newMerger(updates, &lim, stop)
	m.run()
	return m.result()
}

// checkDocument reads a whole update, streaming.
func checkDocument(b []byte, lim *Limits, stop *stopper) error {
	var r structReader
	r.init(b, lim)
	r.stop = stop
	for _, ok := r.next(); ok; _, ok = r.next() {
	}
	return r.err
}

// mergeInput is one update being merged, positioned at its current struct.
type mergeInput struct {
	r   structReader
	cur Struct
	ok  bool
	// touched breaks ties between inputs at the same ID the way yjs's
	// stable re-sort does: the input just worked on (then, initially, the
	// earlier one) comes first.
	touched int
	// where this input is counted in merger.ties
	tracked     bool
	trackedID   ID
	trackedItem bool
}

func (in *mergeInput) advance() { in.cur, in.ok = in.r.next() }

// merger follows yjs's mergeUpdatesV2 step by step, so that the output is
// the same byte for byte (see merge_order.go for how it picks the input
// that yjs's re-sort would put first).
type merger struct {
	inputs []mergeInput
	heap   []*mergeInput // the order while no Item/GC tie exists
	arr    []*mergeInput // yjs's array while one does (heap unused)
	round  int
	ties   map[ID]tieKey
	mixed  int // IDs with both an Item and a GC at them
	w      updateWriter
	cur    Struct // yjs's currWrite
	have   bool
	lim    *Limits
}

// newMerger sets up the merge of updates; its readers share stop.
func newMerger(updates [][]byte, lim *Limits, stop *stopper) *merger {
	m := &merger{inputs: make([]mergeInput, len(updates)), lim: lim, ties: make(map[ID]tieKey, len(updates))}
	for i, u := range updates {
		in := &m.inputs[i]
		in.r.init(u, lim)
		in.r.skipSkips = true
		in.r.stop = stop
		in.touched = -i
		in.advance()
		m.track(in)
		if in.ok {
			m.heap = append(m.heap, in)
		}
	}
	if m.mixed > 0 { // yjs's first sort sees the inputs in their order
		m.arr, m.heap = m.heap, nil
	} else {
		m.heapify()
	}
	return m
}

func (m *merger) run() {
	var moved *mergeInput
	for {
		m.reorder(moved)
		top := m.first()
		if top == nil || m.w.body.Len() > m.lim.MaxDocumentBytes {
			break
		}
		m.step(top)
		moved = top
	}
	if m.have {
		m.w.write(&m.cur)
	}
}

// step is one round of yjs's merge loop on the input that sorts first.
func (m *merger) step(in *mergeInput) {
	firstClient := in.cur.ID.Client
	if !m.have {
		m.cur, m.have = in.cur, true
		in.advance()
	} else if !m.stepAfter(in, firstClient) {
		return
	}
	// copy on while the input continues the current struct seamlessly
	for in.ok && in.cur.ID.Client == firstClient && in.cur.ID.Clock == m.cur.End() && in.cur.Kind != StructSkip {
		m.w.write(&m.cur)
		m.cur = in.cur
		in.advance()
	}
}

// stepAfter handles a round when a struct is pending; false means the
// round ends early (yjs's "continue").
func (m *merger) stepAfter(in *mergeInput, firstClient uint64) bool {
	// pass over what the pending struct already covers
	iterated := false
	for in.ok && in.cur.End() <= m.cur.End() && in.cur.ID.Client >= m.cur.ID.Client {
		in.advance()
		iterated = true
	}
	if !in.ok || in.cur.ID.Client != firstClient || (iterated && in.cur.ID.Clock > m.cur.End()) {
		return false
	}
	next := in.cur
	switch {
	case firstClient != m.cur.ID.Client:
		m.w.write(&m.cur)
		m.cur = next
		in.advance()
	case m.cur.End() < next.ID.Clock:
		m.gap(next)
	default:
		m.overlap(in, next)
	}
	return true
}

// gap marks the clocks between the pending struct and next with a Skip.
func (m *merger) gap(next Struct) {
	if m.cur.Kind == StructSkip {
		m.cur.Length = next.End() - m.cur.ID.Clock // as yjs does
		return
	}
	m.w.write(&m.cur)
	end := m.cur.End()
	m.cur = Struct{Kind: StructSkip, ID: ID{Client: next.ID.Client, Clock: end}, Length: next.ID.Clock - end}
}

// overlap handles next starting at or before the end of the pending struct.
func (m *merger) overlap(in *mergeInput, next Struct) {
	if diff := m.cur.End() - next.ID.Clock; diff > 0 {
		if m.cur.Kind == StructSkip {
			m.cur.Length -= diff // keep the other struct: it has content
		} else {
			next = sliceStruct(next, diff)
		}
	}
	if !mergeInto(&m.cur, &next) {
		m.w.write(&m.cur)
		m.cur = next
		in.advance()
	}
}

// mergeInto appends next to cur where yjs's mergeWith would: GC to GC and
// Skip to Skip. Items never merge here: yjs's Item.mergeWith needs linked
// neighbours, which structs decoded from an update do not have.
func mergeInto(cur, next *Struct) bool {
	if cur.Kind == StructItem || cur.Kind != next.Kind {
		return false
	}
	cur.Length += next.Length
	return true
}

func (m *merger) result() ([]byte, error) {
	if m.w.body.Len() > m.lim.MaxDocumentBytes {
		return nil, tooLarge("MaxDocumentBytes", m.lim.MaxDocumentBytes)
	}
	sets := make([]DeleteSet, 0, len(m.inputs))
	for i := range m.inputs {
		r := &m.inputs[i].r
		if r.err != nil {
			return nil, r.err
		}
		sets = append(sets, r.deletes)
	}
	out := m.w.finish(mergeDeleteSets(sets))
	if len(out) > m.lim.MaxDocumentBytes {
		return nil, tooLarge("MaxDocumentBytes", m.lim.MaxDocumentBytes)
	}
	return out, nil
}
