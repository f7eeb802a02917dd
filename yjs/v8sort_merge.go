package yjs

// V8's two run merges, split into the phases of array-sort.tq. A phase
// ends by going on, or at one of V8's labels: "Succeed" (copy what is left
// of the run held in tmp) or "CopyB"/"CopyA" (one element of that run is
// left and belongs at the far end).
type mergeEnd int

const (
	mergeGoing mergeEnd = iota
	mergeSucceed
	mergeCopyRest
)

// lowMerge merges run A (the shorter, copied to tmp) with run B, front to
// back.
type lowMerge[T any] struct {
	s                *timSort[T]
	tmp              []T
	dest, curT, curB int
	lenA, lenB       int
}

func (s *timSort[T]) mergeLow(baseA, lenA, baseB, lenB int) {
	s.tmp = append(s.tmp[:0], s.a[baseA:baseA+lenA]...)
	m := lowMerge[T]{s: s, tmp: s.tmp, dest: baseA, curB: baseB, lenA: lenA, lenB: lenB}
	m.takeB()
	end := mergeSucceed
	if m.lenB > 0 {
		end = mergeCopyRest
		if m.lenA > 1 {
			end = m.loop()
		}
	}
	m.finish(end)
}

func (m *lowMerge[T]) takeA() {
	m.s.a[m.dest] = m.tmp[m.curT]
	m.dest, m.curT, m.lenA = m.dest+1, m.curT+1, m.lenA-1
}

func (m *lowMerge[T]) takeB() {
	m.s.a[m.dest] = m.s.a[m.curB]
	m.dest, m.curB, m.lenB = m.dest+1, m.curB+1, m.lenB-1
}

func (m *lowMerge[T]) loop() mergeEnd {
	for {
		winsA, winsB, end := m.oneAtATime()
		if end == mergeGoing {
			end = m.gallop(winsA, winsB)
		}
		if end != mergeGoing {
			return end
		}
		m.s.minGallop++ // penalize leaving galloping mode
	}
}

// oneAtATime compares element by element until one run wins minGallop
// times in a row.
func (m *lowMerge[T]) oneAtATime() (winsA, winsB int, end mergeEnd) {
	for {
		if m.s.cmp(m.s.a[m.curB], m.tmp[m.curT]) < 0 {
			m.takeB()
			winsA, winsB = 0, winsB+1
			if m.lenB == 0 {
				return 0, 0, mergeSucceed
			}
			if winsB >= m.s.minGallop {
				return winsA, winsB, mergeGoing
			}
		} else {
			m.takeA()
			winsA, winsB = winsA+1, 0
			if m.lenA == 1 {
				return 0, 0, mergeCopyRest
			}
			if winsA >= m.s.minGallop {
				return winsA, winsB, mergeGoing
			}
		}
	}
}

// gallop copies whole stretches while one run keeps winning.
func (m *lowMerge[T]) gallop(winsA, winsB int) mergeEnd {
	s, a := m.s, m.s.a
	s.minGallop++
	for first := true; first || winsA >= minGallopWins || winsB >= minGallopWins; first = false {
		s.minGallop = max(1, s.minGallop-1)
		if winsA = s.gallopRight(m.tmp, a[m.curB], m.curT, m.lenA, 0); winsA > 0 {
			copy(a[m.dest:], m.tmp[m.curT:m.curT+winsA])
			m.dest, m.curT, m.lenA = m.dest+winsA, m.curT+winsA, m.lenA-winsA
			if m.lenA == 1 {
				return mergeCopyRest
			}
			if m.lenA == 0 {
				return mergeSucceed
			}
		}
		if m.takeB(); m.lenB == 0 {
			return mergeSucceed
		}
		if winsB = s.gallopLeft(a, m.tmp[m.curT], m.curB, m.lenB, 0); winsB > 0 {
			copy(a[m.dest:], a[m.curB:m.curB+winsB])
			m.dest, m.curB, m.lenB = m.dest+winsB, m.curB+winsB, m.lenB-winsB
			if m.lenB == 0 {
				return mergeSucceed
			}
		}
		if m.takeA(); m.lenA == 1 {
			return mergeCopyRest
		}
	}
	return mergeGoing
}

func (m *lowMerge[T]) finish(end mergeEnd) {
	a := m.s.a
	if end == mergeCopyRest {
		copy(a[m.dest:], a[m.curB:m.curB+m.lenB])
		a[m.dest+m.lenB] = m.tmp[m.curT]
	} else if m.lenA > 0 {
		copy(a[m.dest:], m.tmp[m.curT:m.curT+m.lenA])
	}
}

// highMerge merges run A with run B (the shorter, copied to tmp), back to
// front.
type highMerge[T any] struct {
	s                *timSort[T]
	tmp              []T
	baseA            int
	dest, curT, curA int
	lenA, lenB       int
}

func (s *timSort[T]) mergeHigh(baseA, lenA, baseB, lenB int) {
	s.tmp = append(s.tmp[:0], s.a[baseB:baseB+lenB]...)
	m := highMerge[T]{s: s, tmp: s.tmp, baseA: baseA,
		dest: baseB + lenB - 1, curT: lenB - 1, curA: baseA + lenA - 1, lenA: lenA, lenB: lenB}
	m.takeA()
	end := mergeSucceed
	if m.lenA > 0 {
		end = mergeCopyRest
		if m.lenB > 1 {
			end = m.loop()
		}
	}
	m.finish(end)
}

func (m *highMerge[T]) takeA() {
	m.s.a[m.dest] = m.s.a[m.curA]
	m.dest, m.curA, m.lenA = m.dest-1, m.curA-1, m.lenA-1
}

func (m *highMerge[T]) takeB() {
	m.s.a[m.dest] = m.tmp[m.curT]
	m.dest, m.curT, m.lenB = m.dest-1, m.curT-1, m.lenB-1
}

func (m *highMerge[T]) loop() mergeEnd {
	for {
		winsA, winsB, end := m.oneAtATime()
		if end == mergeGoing {
			end = m.gallop(winsA, winsB)
		}
		if end != mergeGoing {
			return end
		}
		m.s.minGallop++
	}
}

func (m *highMerge[T]) oneAtATime() (winsA, winsB int, end mergeEnd) {
	for {
		if m.s.cmp(m.tmp[m.curT], m.s.a[m.curA]) < 0 {
			m.takeA()
			winsA, winsB = winsA+1, 0
			if m.lenA == 0 {
				return 0, 0, mergeSucceed
			}
			if winsA >= m.s.minGallop {
				return winsA, winsB, mergeGoing
			}
		} else {
			m.takeB()
			winsA, winsB = 0, winsB+1
			if m.lenB == 1 {
				return 0, 0, mergeCopyRest
			}
			if winsB >= m.s.minGallop {
				return winsA, winsB, mergeGoing
			}
		}
	}
}

func (m *highMerge[T]) gallop(winsA, winsB int) mergeEnd {
	s, a := m.s, m.s.a
	s.minGallop++
	for first := true; first || winsA >= minGallopWins || winsB >= minGallopWins; first = false {
		s.minGallop = max(1, s.minGallop-1)
		if winsA = m.lenA - s.gallopRight(a, m.tmp[m.curT], m.baseA, m.lenA, m.lenA-1); winsA > 0 {
			m.dest, m.curA = m.dest-winsA, m.curA-winsA
			copy(a[m.dest+1:m.dest+1+winsA], a[m.curA+1:m.curA+1+winsA])
			if m.lenA -= winsA; m.lenA == 0 {
				return mergeSucceed
			}
		}
		if m.takeB(); m.lenB == 1 {
			return mergeCopyRest
		}
		if winsB = m.lenB - s.gallopLeft(m.tmp, a[m.curA], 0, m.lenB, m.lenB-1); winsB > 0 {
			m.dest, m.curT = m.dest-winsB, m.curT-winsB
			copy(a[m.dest+1:m.dest+1+winsB], m.tmp[m.curT+1:m.curT+1+winsB])
			if m.lenB -= winsB; m.lenB == 1 {
				return mergeCopyRest
			}
			if m.lenB == 0 {
				return mergeSucceed
			}
		}
		if m.takeA(); m.lenA == 0 {
			return mergeSucceed
		}
	}
	return mergeGoing
}

func (m *highMerge[T]) finish(end mergeEnd) {
	a := m.s.a
	if end == mergeCopyRest {
		m.dest, m.curA = m.dest-m.lenA, m.curA-m.lenA
		copy(a[m.dest+1:m.dest+1+m.lenA], a[m.curA+1:m.curA+1+m.lenA])
		a[m.dest] = m.tmp[m.curT]
	} else if m.lenB > 0 {
		copy(a[m.dest-(m.lenB-1):m.dest+1], m.tmp[:m.lenB])
	}
}
