package yjs

import "slices"

// Which input does the merge work on next? yjs filters out exhausted inputs
// and re-sorts all of them every round (client descending, clock
// ascending) with Array.prototype.sort, then takes the first.
//
// While no two inputs stand at the same ID with an Item in one and a GC in
// the other, yjs's comparator is consistent, V8's sort is stable, and since
// only the first input moves per round, the order is "by key, then most
// recently moved first": a heap gives the same pick in O(log k).
//
// When such a tie exists, yjs's comparator answers -1 both ways and the
// order depends on V8's comparisons, so the merger keeps yjs's array and
// re-sorts it with the V8 port each round until the tie is gone.

// jsCompare is yjs's comparator (only the sign matters to the sort).
func jsCompare(a, b *mergeInput) int {
	x, y := &a.cur.ID, &b.cur.ID
	switch {
	case x.Client != y.Client:
		if y.Client > x.Client {
			return 1
		}
		return -1
	case x.Clock != y.Clock:
		if x.Clock < y.Clock {
			return -1
		}
		return 1
	case (a.cur.Kind == StructItem) == (b.cur.Kind == StructItem):
		return 0
	}
	return -1
}

// before is the heap order, valid while jsCompare is consistent.
func before(a, b *mergeInput) bool {
	if c := jsCompare(a, b); c != 0 {
		return c < 0
	}
	return a.touched > b.touched
}

// tieKey counts inputs whose current struct starts at an ID, by kind.
type tieKey struct{ items, others int32 }

func (t tieKey) mixed() bool { return t.items > 0 && t.others > 0 }

// track moves in's entry in the tie counts to its current struct.
func (m *merger) track(in *mergeInput) {
	if in.tracked {
		m.count(in.trackedID, in.trackedItem, -1)
	}
	in.tracked = in.ok
	if in.ok {
		in.trackedID, in.trackedItem = in.cur.ID, in.cur.Kind == StructItem
		m.count(in.trackedID, in.trackedItem, 1)
	}
}

func (m *merger) count(id ID, item bool, delta int32) {
	t := m.ties[id]
	wasMixed := t.mixed()
	if item {
		t.items += delta
	} else {
		t.others += delta
	}
	switch {
	case t.items == 0 && t.others == 0:
		delete(m.ties, id)
	default:
		m.ties[id] = t
	}
	if t.mixed() != wasMixed {
		if wasMixed {
			m.mixed--
		} else {
			m.mixed++
		}
	}
}

// reorder brings the inputs into yjs's order for the next round; moved is
// the input the last round worked on (nil before the first round).
func (m *merger) reorder(moved *mergeInput) {
	if moved != nil {
		m.track(moved)
	}
	switch {
	case m.mixed > 0 && m.arr == nil:
		m.heapToArray()
	case m.mixed == 0 && m.arr != nil:
		m.arrayToHeap()
		return
	}
	if m.arr != nil {
		m.arr = slices.DeleteFunc(m.arr, func(in *mergeInput) bool { return !in.ok })
		v8Sort(m.arr, jsCompare)
	} else if moved != nil {
		m.fixTop()
	}
}

// first returns the input to work on, or nil when all are exhausted.
func (m *merger) first() *mergeInput {
	switch {
	case m.arr != nil && len(m.arr) > 0:
		return m.arr[0]
	case m.arr == nil && len(m.heap) > 0:
		return m.heap[0]
	}
	return nil
}

// heapToArray rebuilds yjs's array before its sort: the input just moved
// first, then the others in their (consistent) sorted order.
func (m *merger) heapToArray() {
	rest := slices.Clone(m.heap[1:])
	slices.SortFunc(rest, func(a, b *mergeInput) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	m.arr = append(append(make([]*mergeInput, 0, len(m.heap)), m.heap[0]), rest...)
	m.heap = m.heap[:0]
}

// arrayToHeap returns to the heap once ties are gone: inputs earlier in
// yjs's array count as more recently touched, so equal keys keep their
// order under the stable sorts that follow.
func (m *merger) arrayToHeap() {
	m.heap = m.heap[:0]
	for i, in := range m.arr {
		if in.ok {
			in.touched = m.round + len(m.arr) - i
			m.heap = append(m.heap, in)
		}
	}
	m.round += len(m.arr) + 1
	m.arr = nil
	m.heapify()
}

func (m *merger) heapify() {
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
}

// fixTop restores the heap after the top input moved: it is dropped when
// exhausted, else marked as just touched and sifted down.
func (m *merger) fixTop() {
	top := m.heap[0]
	if !top.ok {
		last := len(m.heap) - 1
		m.heap[0] = m.heap[last]
		m.heap = m.heap[:last]
	} else {
		m.round++
		top.touched = m.round
	}
	m.down(0)
}

func (m *merger) down(i int) {
	h := m.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && before(h[r], h[l]) {
			j = r
		}
		if !before(h[j], h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}
