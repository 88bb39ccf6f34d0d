package memstore

// interner keeps one copy of each distinct string its records hold (token names, session IPs
// and user agents repeat a lot), so a record holds a 4-byte number instead of a string: no
// pointer, and no copy per record. Strings are counted, so one no record holds is forgotten
// and its number reused: distinct names cannot pile up.
type interner struct {
	ids  map[string]uint32
	strs []string
	refs []uint32
	free []uint32
}

func newInterner() interner { return interner{ids: map[string]uint32{}} }

// add returns the number of s, counting one more holder.
func (in *interner) add(s string) uint32 {
	if i, ok := in.ids[s]; ok {
		in.refs[i]++
		return i
	}
	var i uint32
	if n := len(in.free); n > 0 {
		i = in.free[n-1]
		in.free = in.free[:n-1]
		in.strs[i], in.refs[i] = s, 1
	} else {
		i = uint32(len(in.strs))
		in.strs, in.refs = append(in.strs, s), append(in.refs, 1)
	}
	in.ids[s] = i
	return i
}

// str returns the string numbered i.
func (in *interner) str(i uint32) string { return in.strs[i] }

// release counts one holder of string i fewer, and forgets it when none is left.
func (in *interner) release(i uint32) {
	in.refs[i]--
	if in.refs[i] == 0 {
		delete(in.ids, in.strs[i])
		in.strs[i] = ""
		in.free = append(in.free, i)
	}
}
