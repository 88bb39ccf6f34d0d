package memstore

import (
	"cmp"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// errDuplicate reports a new credential whose id or secret hash is already live. Both
// are random, so this is a bug in the caller, not a condition to handle.
var errDuplicate = errors.New("memstore: duplicate id or secret hash")

// errLongID reports an id longer than a record holds; public ids are 32 characters.
var errLongID = errors.New("memstore: id longer than 32 bytes")

// stamp is a time packed into 8 bytes of Unix nanoseconds instead of the 24 of a time.Time
// (which also holds a pointer). It keeps the instant but not the location, so times come
// back in UTC, as they do from the other stores. Instants outside the years 1678–2262 do not
// fit.
type stamp int64

// zeroStamp stands for the zero time.Time, which has no Unix nanoseconds. It is the least
// int64, an instant in 1677 that no session or token carries.
const zeroStamp stamp = math.MinInt64

func pack(t time.Time) stamp {
	if t.IsZero() {
		return zeroStamp
	}
	return stamp(t.UnixNano())
}

func (s stamp) time() time.Time {
	if s == zeroStamp {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

// shortID is an id held inline, so a record has no pointer for the garbage collector to
// follow and no separate allocation.
type shortID struct {
	b [32]byte
	n uint8
}

func newShortID(id string) (shortID, error) {
	var s shortID
	if len(id) > len(s.b) {
		return s, errLongID
	}
	s.n = uint8(copy(s.b[:], id))
	return s, nil
}

func (s *shortID) String() string { return string(s.b[:s.n]) }

// entry is what every credential kind has: the keys it is found by and the times it is
// sorted and expired by.
type entry struct {
	hash domain.SecretHash
	id   shortID
	// level is a session's or token's (a code has none); it sits in the padding after id,
	// so it costs a record no byte.
	level   domain.AuthLevel
	user    domain.UserID
	created stamp
	expires stamp
}

func (e *entry) base() *entry { return e }

// record is a pointer to a credential's record (session, token, code). Expiry is the record's
// own rule because the kinds treat a zero ExpiresAt differently.
type record[T any] interface {
	*T
	base() *entry
	expired(now time.Time) bool
	release(strs *interner) // gives back the record's interned strings
}

// chunkSize is the number of records in one allocation of a table's slab.
const chunkSize = 1024

// slot numbers a record in a table's slab.
type slot uint32

// table indexes records by secret hash (authentication), id (revoke) and user (list and
// revoke), so that no operation but sweep walks more than one user's records. It is not safe
// for concurrent use: the store that owns it holds the lock.
//
// Its layout is for a million credentials in little memory (issue #6: at most 200 bytes
// each): records live by value in fixed-size chunks with no pointers in them, so the garbage
// collector never scans them and none costs an allocation of its own; the hash and id
// indexes hold 4-byte slot numbers, the keys staying in the records, where two Go maps would
// cost some 120 bytes a record.
type table[T any, P record[T]] struct {
	chunks []*[chunkSize]T
	used   slot   // slots handed out so far
	free   []slot // slots of removed records, reused first
	byHash index  // by the secret hash's first 8 bytes: it is a SHA-256, uniform already
	byID   index  // by maphash of the id
	byUser map[domain.UserID][]slot
	seed   maphash.Seed
	strs   interner // the records' strings (names, IPs, user agents)
}

func newTable[T any, P record[T]]() table[T, P] {
	return table[T, P]{byUser: map[domain.UserID][]slot{}, seed: maphash.MakeSeed(), strs: newInterner()}
}

func (t *table[T, P]) at(s slot) P { return P(&t.chunks[s/chunkSize][s%chunkSize]) }

func hashKey(h *domain.SecretHash) uint64 { return binary.LittleEndian.Uint64(h[:8]) }

func (t *table[T, P]) idKey(id *shortID) uint64 { return maphash.Bytes(t.seed, id.b[:id.n]) }

func (t *table[T, P]) hashOfSlot(s slot) uint64 { return hashKey(&t.at(s).base().hash) }

func (t *table[T, P]) idOfSlot(s slot) uint64 { return t.idKey(&t.at(s).base().id) }

// findHash returns the slot of the record with secret hash h, live or not.
func (t *table[T, P]) findHash(h *domain.SecretHash) (slot, bool) {
	return t.byHash.find(hashKey(h), func(s slot) bool { return t.at(s).base().hash == *h })
}

// findID returns the slot of the record with id, live or not.
func (t *table[T, P]) findID(id *shortID) (slot, bool) {
	return t.byID.find(t.idKey(id), func(s slot) bool { return t.at(s).base().id == *id })
}

// insert adds a copy of r. An expired record in the way is removed first: it is as good as
// gone.
func (t *table[T, P]) insert(r *T, now time.Time) error {
	e := P(r).base()
	byID, idOK := t.findID(&e.id)
	byHash, hashOK := t.findHash(&e.hash)
	if idOK && !t.at(byID).expired(now) || hashOK && !t.at(byHash).expired(now) {
		return errDuplicate
	}
	if idOK {
		t.remove(byID)
	}
	if hashOK && (!idOK || byHash != byID) {
		t.remove(byHash)
	}
	s := t.alloc()
	*t.at(s) = *r
	t.byHash.add(hashKey(&e.hash), s, t.hashOfSlot)
	t.byID.add(t.idKey(&e.id), s, t.idOfSlot)
	t.byUser[e.user] = append(t.byUser[e.user], s)
	return nil
}

func (t *table[T, P]) alloc() slot {
	if n := len(t.free); n > 0 {
		s := t.free[n-1]
		t.free = t.free[:n-1]
		return s
	}
	if int(t.used)%chunkSize == 0 {
		t.chunks = append(t.chunks, new([chunkSize]T))
	}
	t.used++
	return t.used - 1
}

func (t *table[T, P]) liveByHash(h domain.SecretHash, now time.Time) (P, bool) {
	s, ok := t.findHash(&h)
	if !ok {
		return nil, false
	}
	p := t.at(s)
	return p, !p.expired(now)
}

// liveByID returns the live record with id and its slot.
func (t *table[T, P]) liveByID(id string, now time.Time) (P, slot, bool) {
	sid, err := newShortID(id)
	if err != nil {
		return nil, 0, false
	}
	s, ok := t.findID(&sid)
	if !ok || t.at(s).expired(now) {
		return nil, 0, false
	}
	return t.at(s), s, true
}

// liveOf returns user's live records, newest first; records created at the same instant are
// ordered by id, so the order never depends on map iteration.
func (t *table[T, P]) liveOf(user domain.UserID, now time.Time) []P {
	var live []P
	for _, s := range t.byUser[user] {
		if p := t.at(s); !p.expired(now) {
			live = append(live, p)
		}
	}
	slices.SortFunc(live, func(a, b P) int {
		x, y := a.base(), b.base()
		return cmp.Or(cmp.Compare(y.created, x.created), cmp.Compare(x.id.String(), y.id.String()))
	})
	return live
}

// remove deletes the record in slot s, which must be in use.
func (t *table[T, P]) remove(s slot) {
	t.prune(t.at(s).base().user, func(q slot) bool { return q == s })
}

// removeUserIf deletes user's live records for which doomed is true, and reports how many it
// deleted. Expired records go too, uncounted: nobody could see them.
func (t *table[T, P]) removeUserIf(user domain.UserID, now time.Time, doomed func(P) bool) int {
	n := 0
	t.prune(user, func(s slot) bool {
		p := t.at(s)
		switch {
		case p.expired(now):
			return true
		case !doomed(p):
			return false
		}
		n++
		return true
	})
	return n
}

// sweep deletes every expired record and reports how many. It walks the whole table.
func (t *table[T, P]) sweep(now time.Time) int {
	n := 0
	for user := range t.byUser {
		n += t.prune(user, func(s slot) bool { return t.at(s).expired(now) })
	}
	return n
}

// prune deletes the records of user for which drop is true and reports how many it deleted.
func (t *table[T, P]) prune(user domain.UserID, drop func(slot) bool) int {
	all := t.byUser[user]
	kept := all[:0]
	for _, s := range all {
		if !drop(s) {
			kept = append(kept, s)
			continue
		}
		p := t.at(s)
		e := p.base()
		t.byHash.remove(hashKey(&e.hash), s, t.hashOfSlot)
		t.byID.remove(t.idKey(&e.id), s, t.idOfSlot)
		p.release(&t.strs)
		var zero T
		*p = zero
		t.free = append(t.free, s)
	}
	if len(kept) == 0 {
		delete(t.byUser, user)
	} else {
		t.byUser[user] = kept
	}
	return len(all) - len(kept)
}
