package yjs

import (
	"context"
	"slices"
	"sort"
)

// Condense returns a smaller update holding the same document, for storing a document's state:
//
//   - the content of every item deleted whole is replaced by its length (ContentDeleted), as
//     yjs's own garbage collection does in a document; items that create shared types or
//     subdocuments keep theirs (other items may have them as parent);
//   - runs of items one client typed one after the other (each the right neighbour of the one
//     before: same right origin, origin the previous item's last clock) are written as one
//     item, text with text and deleted with deleted, as yjs itself keeps them in a document.
//     A client that must insert between two of them splits the item at the same clock, which
//     gives back exactly the items merged.
//
// Every item keeps its identity and position, so updates that refer to any of them still
// integrate; the delete set is kept as it is. yjs's mergeUpdates does neither (a typed text
// stays one item per keystroke), which is most of a merged document's size.
//
// Time and memory are linear in the update. Condense ends early, with ctx's error, when ctx
// ends.
func Condense(ctx context.Context, update []byte, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	lim.MaxUpdateBytes = lim.MaxDocumentBytes // a whole document, not one client's update
	u, err := decodeUpdate(ctx, update, lim)
	if err != nil {
		return nil, err
	}
	deleted := newDeletedRanges(u.Deletes)
	changed := false
	for i := range u.Structs {
		s := &u.Structs[i]
		if s.Kind != StructItem || !droppable(s.Content.Kind) || !deleted.covers(s.ID.Client, s.ID.Clock, s.Length) {
			continue
		}
		s.Content = Content{Kind: ContentDeleted}
		changed = true
	}
	n := len(u.Structs)
	u.Structs = mergeRuns(u.Structs, lim.MaxStringBytes)
	if !changed && len(u.Structs) == n {
		return update, nil
	}
	return u.Encode(), nil
}

// mergeRuns joins each run of items into its first where yjs would (Item.mergeWith), for text
// and deleted content. A run's text is copied once, into a buffer of its joined size: growing
// the first item's text item by item would copy a run of n keystrokes n²/2 times. A text run
// stops before it passes maxText bytes, which every reader of the state refuses
// (Limits.MaxStringBytes).
func mergeRuns(structs []Struct, maxText int) []Struct {
	out := structs[:0]
	for i := 0; i < len(structs); {
		j, text := i+1, len(structs[i].Content.Data)
		for j < len(structs) && mergeable(&structs[j-1], &structs[j]) && text+len(structs[j].Content.Data) <= maxText {
			text += len(structs[j].Content.Data)
			j++
		}
		out = append(out, joinRun(structs[i:j])) // len(out) <= i: the run is read before
		i = j
	}
	return out
}

// joinRun returns the items of a run (mergeable each with the one before) as one item.
func joinRun(run []Struct) Struct {
	s := run[0]
	if len(run) == 1 {
		return s
	}
	s.Length = run[len(run)-1].End() - s.ID.Clock // clocks are gapless within a run
	if s.Content.Kind == ContentString {
		size := 0
		for i := range run {
			size += len(run[i].Content.Data)
		}
		data := make([]byte, 0, size)
		for i := range run {
			data = append(data, run[i].Content.Data...)
		}
		s.Content.Data = data
	}
	return s
}

func mergeable(prev, next *Struct) bool {
	return prev.Kind == StructItem && next.Kind == StructItem &&
		prev.ID.Client == next.ID.Client && prev.End() == next.ID.Clock &&
		next.HasOrigin && next.Origin == ID{prev.ID.Client, prev.End() - 1} &&
		prev.HasRightOrigin == next.HasRightOrigin && prev.RightOrigin == next.RightOrigin &&
		prev.Content.Kind == next.Content.Kind &&
		(next.Content.Kind == ContentString || next.Content.Kind == ContentDeleted)
}

// droppable reports whether a deleted item's content can go: not a type or subdocument, and
// not already gone.
func droppable(k ContentKind) bool {
	switch k {
	case ContentString, ContentJSON, ContentBinary, ContentEmbed, ContentFormat, ContentAny:
		return true
	}
	return false
}

// deletedRanges answers whether a clock range is deleted whole: per client, its ranges sorted
// and joined.
type deletedRanges map[uint64][]DeleteRange

func newDeletedRanges(ds DeleteSet) deletedRanges {
	out := deletedRanges{}
	for _, cd := range ds {
		out[cd.Client] = append(out[cd.Client], cd.Ranges...)
	}
	for client, rs := range out {
		slices.SortFunc(rs, func(a, b DeleteRange) int {
			switch {
			case a.Clock < b.Clock:
				return -1
			case a.Clock > b.Clock:
				return 1
			}
			return 0
		})
		joined := rs[:1]
		for _, r := range rs[1:] {
			last := &joined[len(joined)-1]
			if r.Clock <= last.Clock+last.Len {
				last.Len = max(last.Len, r.Clock+r.Len-last.Clock)
				continue
			}
			joined = append(joined, r)
		}
		out[client] = joined
	}
	return out
}

func (d deletedRanges) covers(client, clock, length uint64) bool {
	rs := d[client]
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Clock+rs[i].Len > clock })
	return i < len(rs) && rs[i].Clock <= clock && clock+length <= rs[i].Clock+rs[i].Len
}
