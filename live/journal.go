package live

// journal keeps the changes applied to a collection while a read of it is in flight (SQL or a
// fetch of changed rows, run by the caller outside the engine's lock). A read's result can be
// older than some of those changes; once it returns, the changes since it began are applied
// again on top of it, so nothing the engine learned meanwhile is lost, whatever order the
// database work and the changes interleave in.
//
// Entries are kept only while reads are open, and at most max of them: past that every open read
// is stale and is run again (memory stays bounded however slow a read is).
type journal struct {
	entries []Change
	base    uint64         // the sequence number of entries[0]
	open    map[uint64]int // open reads by the sequence number they began at
	gen     uint64         // bumped when the journal overflows: reads of earlier generations are stale
	max     int
}

// begin opens a read: it returns where the read began and the journal's generation.
func (j *journal) begin() (start, gen uint64) {
	if j.open == nil {
		j.open = map[uint64]int{}
	}
	start = j.base + uint64(len(j.entries))
	j.open[start]++
	return start, j.gen
}

// end closes a read, returning the changes applied since it began; stale when they are lost.
func (j *journal) end(start, gen uint64) (since []Change, stale bool) {
	if gen != j.gen {
		return nil, true
	}
	since = j.entries[start-j.base:]
	if j.open[start]--; j.open[start] == 0 {
		delete(j.open, start)
	}
	j.trim()
	return since, false
}

// record keeps a change for the open reads.
func (j *journal) record(c Change) {
	if len(j.open) == 0 {
		return
	}
	if len(j.entries) >= j.max {
		j.invalidate()
		return
	}
	j.entries = append(j.entries, c)
}

// trim forgets entries no open read needs. The returned slices stay valid: trimming reslices or
// starts a new backing array, it never overwrites.
func (j *journal) trim() {
	if len(j.open) == 0 {
		j.base += uint64(len(j.entries))
		j.entries = nil
		return
	}
	oldest := j.base + uint64(len(j.entries))
	for start := range j.open {
		oldest = min(oldest, start)
	}
	j.entries = j.entries[oldest-j.base:]
	j.base = oldest
}

// invalidate makes every open read stale: changes they need are lost (the journal overflowed,
// or notifications were).
func (j *journal) invalidate() {
	j.gen++
	j.base += uint64(len(j.entries))
	j.entries, j.open = nil, map[uint64]int{}
}
