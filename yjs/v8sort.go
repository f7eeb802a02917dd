package yjs

// v8Sort sorts a in place exactly as V8's Array.prototype.sort (TimSort,
// src/third_party/v8/builtins/array-sort.tq) does, comparison for
// comparison. Any stable sort would do for a consistent comparator, but
// yjs's merge comparator is not consistent (an Item and a GC at the same
// ID each sort before the other), and then only the same sequence of
// comparisons and moves gives the order Node gives.
func v8Sort[T any](a []T, cmp func(x, y T) int) {
	if len(a) < 2 {
		return
	}
	s := &timSort[T]{a: a, cmp: cmp, minGallop: minGallopWins}
	minRun := minRunLength(len(a))
	for low, remaining := 0, len(a); remaining > 0; {
		run := s.countAndMakeRun(low, low+remaining)
		if run < minRun {
			forced := min(minRun, remaining)
			s.binaryInsertionSort(low, low+run, low+forced)
			run = forced
		}
		s.runs = append(s.runs, sortRun{base: low, len: run})
		s.mergeCollapse()
		low += run
		remaining -= run
	}
	s.mergeForceCollapse()
}

const minGallopWins = 7

type sortRun struct{ base, len int }

type timSort[T any] struct {
	a         []T
	cmp       func(x, y T) int
	minGallop int
	runs      []sortRun
	tmp       []T
}

func minRunLength(n int) int {
	r := 0
	for n >= 64 {
		r |= n & 1
		n >>= 1
	}
	return n + r
}

// countAndMakeRun returns the length of the run starting at low, reversing
// it first if it is strictly descending.
func (s *timSort[T]) countAndMakeRun(low, high int) int {
	next := low + 1
	if next == high {
		return 1
	}
	run := 2
	descending := s.cmp(s.a[next], s.a[low]) < 0
	prev := s.a[next]
	for i := next + 1; i < high; i++ {
		order := s.cmp(s.a[i], prev)
		if descending && order >= 0 || !descending && order < 0 {
			break
		}
		prev = s.a[i]
		run++
	}
	if descending {
		for i, j := low, low+run-1; i < j; i, j = i+1, j-1 {
			s.a[i], s.a[j] = s.a[j], s.a[i]
		}
	}
	return run
}

func (s *timSort[T]) binaryInsertionSort(low, start, high int) {
	if low == start {
		start++
	}
	for ; start < high; start++ {
		left, right := low, start
		pivot := s.a[start]
		for left < right {
			mid := left + (right-left)>>1
			if s.cmp(pivot, s.a[mid]) < 0 {
				right = mid
			} else {
				left = mid + 1
			}
		}
		copy(s.a[left+1:start+1], s.a[left:start])
		s.a[left] = pivot
	}
}

// invariantHolds reports whether run n-2 is longer than runs n-1 and n.
func (s *timSort[T]) invariantHolds(n int) bool {
	if n < 2 {
		return true
	}
	return s.runs[n-2].len > s.runs[n-1].len+s.runs[n].len
}

func (s *timSort[T]) mergeCollapse() {
	for len(s.runs) > 1 {
		n := len(s.runs) - 2
		switch {
		case !s.invariantHolds(n+1) || !s.invariantHolds(n):
			if s.runs[n-1].len < s.runs[n+1].len {
				n--
			}
		case s.runs[n].len > s.runs[n+1].len:
			return
		}
		s.mergeAt(n)
	}
}

func (s *timSort[T]) mergeForceCollapse() {
	for len(s.runs) > 1 {
		n := len(s.runs) - 2
		if n > 0 && s.runs[n-1].len < s.runs[n+1].len {
			n--
		}
		s.mergeAt(n)
	}
}

// mergeAt merges runs i and i+1.
func (s *timSort[T]) mergeAt(i int) {
	baseA, lenA := s.runs[i].base, s.runs[i].len
	baseB, lenB := s.runs[i+1].base, s.runs[i+1].len
	s.runs[i].len = lenA + lenB
	s.runs = append(s.runs[:i+1], s.runs[i+2:]...)

	k := s.gallopRight(s.a, s.a[baseB], baseA, lenA, 0)
	baseA += k
	lenA -= k
	if lenA == 0 {
		return
	}
	lenB = s.gallopLeft(s.a, s.a[baseA+lenA-1], baseB, lenB, lenB-1)
	if lenB == 0 {
		return
	}
	if lenA <= lenB {
		s.mergeLow(baseA, lenA, baseB, lenB)
	} else {
		s.mergeHigh(baseA, lenA, baseB, lenB)
	}
}

// gallopLeft returns where key belongs in the sorted run a[base:base+n],
// left of any equal elements, searching from hint.
func (s *timSort[T]) gallopLeft(a []T, key T, base, n, hint int) int {
	lastOfs, ofs := 0, 1
	if s.cmp(a[base+hint], key) < 0 {
		maxOfs := n - hint
		for ofs < maxOfs && s.cmp(a[base+hint+ofs], key) < 0 {
			lastOfs, ofs = ofs, ofs<<1+1
		}
		ofs = min(ofs, maxOfs)
		lastOfs, ofs = lastOfs+hint, ofs+hint
	} else {
		maxOfs := hint + 1
		for ofs < maxOfs && s.cmp(a[base+hint-ofs], key) >= 0 {
			lastOfs, ofs = ofs, ofs<<1+1
		}
		ofs = min(ofs, maxOfs)
		lastOfs, ofs = hint-ofs, hint-lastOfs
	}
	for lastOfs++; lastOfs < ofs; {
		m := lastOfs + (ofs-lastOfs)>>1
		if s.cmp(a[base+m], key) < 0 {
			lastOfs = m + 1
		} else {
			ofs = m
		}
	}
	return ofs
}

// gallopRight is gallopLeft placing key right of any equal elements.
func (s *timSort[T]) gallopRight(a []T, key T, base, n, hint int) int {
	lastOfs, ofs := 0, 1
	if s.cmp(key, a[base+hint]) < 0 {
		maxOfs := hint + 1
		for ofs < maxOfs && s.cmp(key, a[base+hint-ofs]) < 0 {
			lastOfs, ofs = ofs, ofs<<1+1
		}
		ofs = min(ofs, maxOfs)
		lastOfs, ofs = hint-ofs, hint-lastOfs
	} else {
		maxOfs := n - hint
		for ofs < maxOfs && s.cmp(key, a[base+hint+ofs]) >= 0 {
			lastOfs, ofs = ofs, ofs<<1+1
		}
		ofs = min(ofs, maxOfs)
		lastOfs, ofs = lastOfs+hint, ofs+hint
	}
	for lastOfs++; lastOfs < ofs; {
		m := lastOfs + (ofs-lastOfs)>>1
		if s.cmp(key, a[base+m]) < 0 {
			ofs = m
		} else {
			lastOfs = m + 1
		}
	}
	return ofs
}
