package live

// Delta is what a shared query's subscribers must be told: rows that entered the visible window
// or changed within it, and ids that left it (removed, no longer matching, pushed out past the
// limit). One Delta serves every subscriber of the query: encode it once.
type Delta struct {
	Upserts []*Row
	Removes []string
}

// Empty reports whether there is nothing to tell.
func (d Delta) Empty() bool { return len(d.Upserts) == 0 && len(d.Removes) == 0 }

// Diff is what a client holding held (id → version) must be told to hold rows instead: rows new
// or newer than held, and held ids missing from rows. A row older than the version held is not
// sent: versions only grow.
func Diff(held map[string]Stamp, rows []*Row) Delta {
	var d Delta
	in := make(map[string]bool, len(rows))
	for _, r := range rows {
		in[r.Doc.ID] = true
		if old, ok := held[r.Doc.ID]; !ok || r.Stamp().NewerThan(old) {
			d.Upserts = append(d.Upserts, r)
		}
	}
	for id := range held {
		if !in[id] {
			d.Removes = append(d.Removes, id)
		}
	}
	return d
}
