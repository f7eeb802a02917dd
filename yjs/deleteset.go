package yjs

import (
	"cmp"
	"slices"
)

// readDeleteSet reads the delete set that ends every update. Like yjs, it
// drops clients with no ranges and joins a client listed twice.
func readDeleteSet(d *Decoder, lim *Limits) (DeleteSet, error) {
	n, err := d.ReadVarUint()
	if err != nil {
		return nil, err
	}
	if n > uint64(lim.MaxClients) {
		return nil, tooLarge("MaxClients", lim.MaxClients)
	}
	var b deleteSetBuilder
	for range n {
		client, err := d.ReadVarUint()
		if err != nil {
			return nil, err
		}
		count, err := d.readLen()
		if err != nil {
			return nil, err
		}
		if count == 0 {
			continue
		}
		if err := readDeleteRanges(d, b.entry(client, count), count); err != nil {
			return nil, err
		}
	}
	return b.ds, nil
}

// readDeleteRanges appends count ranges to e.
func readDeleteRanges(d *Decoder, e *ClientDeletes, count int) error {
	for range count {
		start := d.pos
		clock, err := d.ReadVarUint()
		if err != nil {
			return err
		}
		length, err := d.ReadVarUint()
		if err != nil {
			return err
		}
		if length == 0 {
			return malformed("empty delete range", start)
		}
		if length > MaxSafeInteger-clock {
			return malformed("delete range beyond the largest clock", start)
		}
		e.Ranges = append(e.Ranges, DeleteRange{Clock: clock, Len: length})
	}
	return nil
}

// deleteSetBuilder finds a client's entry in O(1): yjs writes clients in
// descending order, so a map is built only if the input is not ordered so.
type deleteSetBuilder struct {
	ds    DeleteSet
	index map[uint64]int
}

func (b *deleteSetBuilder) entry(client uint64, capHint int) *ClientDeletes {
	n := len(b.ds)
	if b.index == nil && (n == 0 || client < b.ds[n-1].Client) {
		b.ds = append(b.ds, ClientDeletes{Client: client, Ranges: make([]DeleteRange, 0, capHint)})
		return &b.ds[n]
	}
	if b.index == nil {
		b.index = make(map[uint64]int, n+1)
		for i, e := range b.ds {
			b.index[e.Client] = i
		}
	}
	if i, ok := b.index[client]; ok {
		return &b.ds[i]
	}
	b.index[client] = n
	b.ds = append(b.ds, ClientDeletes{Client: client})
	return &b.ds[n]
}

// writeDeleteSet writes ds with clients in descending order, as yjs does;
// each client's ranges are written as they are.
func writeDeleteSet(e *Encoder, ds DeleteSet) {
	sorted := slices.Clone(ds)
	slices.SortFunc(sorted, func(a, b ClientDeletes) int { return cmp.Compare(b.Client, a.Client) })
	e.WriteVarUint(uint64(len(sorted)))
	for _, c := range sorted {
		e.WriteVarUint(c.Client)
		e.WriteVarUint(uint64(len(c.Ranges)))
		for _, r := range c.Ranges {
			e.WriteVarUint(r.Clock)
			e.WriteVarUint(r.Len)
		}
	}
}

// mergeDeleteSets joins delete sets into one whose ranges are, per client,
// sorted and merged where they overlap or touch: the same result as yjs's
// mergeDeleteSets, which is the canonical union of the ranges.
func mergeDeleteSets(sets []DeleteSet) DeleteSet {
	var b deleteSetBuilder
	for _, ds := range sets {
		for _, c := range ds {
			e := b.entry(c.Client, len(c.Ranges))
			e.Ranges = append(e.Ranges, c.Ranges...)
		}
	}
	for i := range b.ds {
		b.ds[i].Ranges = unionRanges(b.ds[i].Ranges)
	}
	return b.ds
}

// unionRanges sorts ranges by clock and merges those that overlap or touch.
func unionRanges(rs []DeleteRange) []DeleteRange {
	slices.SortStableFunc(rs, func(a, b DeleteRange) int { return cmp.Compare(a.Clock, b.Clock) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].Clock+out[n-1].Len >= r.Clock {
			last := &out[n-1]
			last.Len = max(last.Len, r.Clock+r.Len-last.Clock)
			continue
		}
		out = append(out, r)
	}
	return out
}
