package memstore

// index is an open-addressing hash set of slots (linear probing, deletion by backward shift,
// so no tombstones), for keys the records themselves hold: it costs 4 bytes a cell, at most
// three quarters full, where a Go map would keep a copy of each key beside its value. The
// caller gives the hash of the key it looks for and of any slot, and says which slot
// matches.
type index struct {
	cells []uint32 // slot+1; 0 is an empty cell
	n     int
}

func (x *index) mask() uint64 { return uint64(len(x.cells) - 1) }

// find returns the first slot in the probe run of hash h for which match is true.
func (x *index) find(h uint64, match func(slot) bool) (slot, bool) {
	if x.n == 0 {
		return 0, false
	}
	m := x.mask()
	for i := h & m; ; i = (i + 1) & m {
		c := x.cells[i]
		if c == 0 {
			return 0, false
		}
		if match(slot(c - 1)) {
			return slot(c - 1), true
		}
	}
}

// add puts slot s, whose key hashes to h, into the set.
func (x *index) add(h uint64, s slot, hashOf func(slot) uint64) {
	if (x.n+1)*4 > len(x.cells)*3 {
		x.grow(hashOf)
	}
	m := x.mask()
	i := h & m
	for x.cells[i] != 0 {
		i = (i + 1) & m
	}
	x.cells[i] = uint32(s) + 1
	x.n++
}

func (x *index) grow(hashOf func(slot) uint64) {
	old := x.cells
	x.cells = make([]uint32, max(16, 2*len(old)))
	m := x.mask()
	for _, c := range old {
		if c == 0 {
			continue
		}
		i := hashOf(slot(c-1)) & m
		for x.cells[i] != 0 {
			i = (i + 1) & m
		}
		x.cells[i] = c
	}
}

// remove takes slot s, whose key hashes to h, out of the set, and moves back the cells after
// it that would otherwise be cut off from their home.
func (x *index) remove(h uint64, s slot, hashOf func(slot) uint64) {
	if x.n == 0 {
		return
	}
	m := x.mask()
	i := h & m
	for x.cells[i] != uint32(s)+1 {
		if x.cells[i] == 0 {
			return
		}
		i = (i + 1) & m
	}
	for j := (i + 1) & m; x.cells[j] != 0; j = (j + 1) & m {
		home := hashOf(slot(x.cells[j]-1)) & m
		// The cell at j may move to the hole at i unless its home lies cyclically in (i, j].
		if i <= j && (home <= i || home > j) || i > j && home <= i && home > j {
			x.cells[i] = x.cells[j]
			i = j
		}
	}
	x.cells[i] = 0
	x.n--
}
