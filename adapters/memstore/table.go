package memstore

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// errDuplicate reports a new session or token whose id or secret hash is already live. Both
// are random, so this is a bug in the caller, not a condition to handle.
var errDuplicate = errors.New("memstore: duplicate id or secret hash")

// stamp is a time packed into 8 bytes of Unix nanoseconds instead of the 24 of a time.Time:
// a million tokens hold three times each. It keeps the instant but not the location, so times
// come back in UTC, as they do from the other stores. Instants outside the years 1678–2262 do
// not fit.
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

// entry is what sessions and tokens have in common: the keys they are found by and the times
// they are sorted and expired by. The id string is shared with the key of table.byID.
type entry struct {
	hash    domain.SecretHash
	id      string
	user    domain.UserID
	created stamp
	expires stamp
}

func (e *entry) base() *entry { return e }

// record is a pointer to a session or token record. Expiry is the record's own rule because
// sessions and tokens treat a zero ExpiresAt differently.
type record[T any] interface {
	*T
	base() *entry
	expired(now time.Time) bool
}

// table indexes records by secret hash (authentication), id (touch) and user (list and
// revoke), so that no operation but sweep walks more than one user's records. It is not safe
// for concurrent use: the store that owns it holds the lock.
type table[T any, P record[T]] struct {
	byHash map[domain.SecretHash]P
	byID   map[string]P
	byUser map[domain.UserID][]P // unordered; lists are sorted when asked for
}

func newTable[T any, P record[T]]() table[T, P] {
	return table[T, P]{byHash: map[domain.SecretHash]P{}, byID: map[string]P{}, byUser: map[domain.UserID][]P{}}
}

// insert adds p. An expired record in the way is removed first: it is as good as gone.
func (t *table[T, P]) insert(p P, now time.Time) error {
	e := p.base()
	byID, byHash := t.byID[e.id], t.byHash[e.hash]
	if byID != nil && !byID.expired(now) || byHash != nil && !byHash.expired(now) {
		return errDuplicate
	}
	if byID != nil {
		t.remove(byID)
	}
	if byHash != nil && byHash != byID {
		t.remove(byHash)
	}
	t.byHash[e.hash] = p
	t.byID[e.id] = p
	t.byUser[e.user] = append(t.byUser[e.user], p)
	return nil
}

func (t *table[T, P]) liveByHash(h domain.SecretHash, now time.Time) (P, bool) {
	p, ok := t.byHash[h]
	return p, ok && !p.expired(now)
}

func (t *table[T, P]) liveByID(id string, now time.Time) (P, bool) {
	p, ok := t.byID[id]
	return p, ok && !p.expired(now)
}

// liveOf returns user's live records, newest first; records created at the same instant are
// ordered by id, so the order never depends on map iteration.
func (t *table[T, P]) liveOf(user domain.UserID, now time.Time) []P {
	var live []P
	for _, p := range t.byUser[user] {
		if !p.expired(now) {
			live = append(live, p)
		}
	}
	slices.SortFunc(live, func(a, b P) int {
		x, y := a.base(), b.base()
		return cmp.Or(cmp.Compare(y.created, x.created), cmp.Compare(x.id, y.id))
	})
	return live
}

// remove deletes p, which must be in the table.
func (t *table[T, P]) remove(p P) {
	t.prune(p.base().user, func(q P) bool { return q == p })
}

// removeUser deletes user's records except the live one with id except, and reports how many
// live ones it deleted. Expired records go too, uncounted: nobody could see them.
func (t *table[T, P]) removeUser(user domain.UserID, except string, now time.Time) int {
	n := 0
	t.prune(user, func(p P) bool {
		switch {
		case p.expired(now):
			return true
		case p.base().id == except:
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
		n += t.prune(user, func(p P) bool { return p.expired(now) })
	}
	return n
}

// prune deletes the records of user for which drop is true and reports how many it deleted.
func (t *table[T, P]) prune(user domain.UserID, drop func(P) bool) int {
	all := t.byUser[user]
	kept := all[:0]
	for _, p := range all {
		if !drop(p) {
			kept = append(kept, p)
			continue
		}
		e := p.base()
		delete(t.byHash, e.hash)
		delete(t.byID, e.id)
	}
	clear(all[len(kept):]) // let the garbage collector have the dropped records
	if len(kept) == 0 {
		delete(t.byUser, user)
	} else {
		t.byUser[user] = kept
	}
	return len(all) - len(kept)
}
