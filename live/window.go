package live

import (
	"slices"

	"github.com/recordroom/recordroom/filter"
)

// window is a query's ordered entries: a prefix of its whole result, as far as it is known.
// When complete, rows is the whole result. Otherwise edge is the last entry ever known to be in
// place: every matching record that sorts at or before edge is in rows, and none after it is, so
// a record arriving past the edge is not taken (what lies between is unknown) and a window that
// runs short needs a refill.
type window struct {
	order    filter.Order
	cap      int // the limit plus the margin: never more rows than this
	rows     []*Row
	byID     map[string]*Row
	complete bool
	edge     *Row
	// hold is told of every id that enters or leaves rows (the collection's holder index).
	hold func(id string, held bool)
}

func (w *window) compare(a, b *Row) int { return w.order.Compare(a.Doc, b.Doc) }

// position is where the held row of id sorts (ids break every tie, so it is exact).
func (w *window) position(id string) (int, bool) {
	r, ok := w.byID[id]
	if !ok {
		return 0, false
	}
	i, _ := slices.BinarySearchFunc(w.rows, r, w.compare)
	return i, true
}

// remove drops id's row, if held. The edge stays: what sorts before it is still all known.
func (w *window) remove(id string) bool {
	i, ok := w.position(id)
	if !ok {
		return false
	}
	w.rows = slices.Delete(w.rows, i, i+1)
	delete(w.byID, id)
	w.hold(id, false)
	return true
}

// insert places r (no row of its id is held), unless it sorts past the edge. A full window
// drops its last row, whose place becomes the edge; insert returns the id dropped, if any.
func (w *window) insert(r *Row) (dropped string) {
	if !w.complete && w.edge != nil && w.compare(r, w.edge) > 0 {
		return ""
	}
	i, _ := slices.BinarySearchFunc(w.rows, r, w.compare)
	w.rows = slices.Insert(w.rows, i, r)
	w.byID[r.Doc.ID] = r
	w.hold(r.Doc.ID, true)
	if len(w.rows) > w.cap {
		last := w.rows[len(w.rows)-1]
		w.rows = w.rows[:len(w.rows)-1]
		delete(w.byID, last.Doc.ID)
		w.hold(last.Doc.ID, false)
		w.complete, w.edge = false, w.rows[len(w.rows)-1]
		return last.Doc.ID
	}
	return ""
}

// reset makes rows (a query's first rows, complete when there are no more) the window.
func (w *window) reset(rows []*Row, complete bool) {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, w.compare) // SQL sorted them the same way; this makes sure
	if len(rows) > w.cap {
		rows, complete = rows[:w.cap], false
	}
	byID := make(map[string]*Row, len(rows))
	for _, r := range rows {
		byID[r.Doc.ID] = r
		if _, had := w.byID[r.Doc.ID]; !had {
			w.hold(r.Doc.ID, true)
		}
	}
	for id := range w.byID {
		if _, kept := byID[id]; !kept {
			w.hold(id, false)
		}
	}
	w.rows, w.byID = rows, byID
	w.complete, w.edge = complete || len(rows) == 0, nil
	if !w.complete {
		w.edge = rows[len(rows)-1]
	}
}

// clear drops every row (the query ends).
func (w *window) clear() {
	for id := range w.byID {
		w.hold(id, false)
	}
	w.rows, w.byID = nil, map[string]*Row{}
}
