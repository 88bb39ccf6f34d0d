package memstore

import (
	"sync"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// kind is a record (see table) that converts to and from its domain credential C: a
// session, token or one-time code.
type kind[T, C any] interface {
	record[T]
	// fill sets the record from c, interning c's strings in strs; an error leaves nothing
	// interned.
	fill(c C, strs *interner) error
	// value returns the record as a credential.
	value(strs *interner) C
}

// store is one credential store: a table of one kind under a lock, expiring its records by
// clock. The session, token and code stores are a store each, plus the names their ports
// give its operations.
type store[T any, P kind[T, C], C any] struct {
	clock ports.Clock
	mu    sync.RWMutex
	t     table[T, P]
}

func newStore[T any, P kind[T, C], C any](clock ports.Clock) store[T, P, C] {
	return store[T, P, C]{clock: clock, t: newTable[T, P]()}
}

// create adds c. A credential whose id or secret hash is already live is refused with an
// error that is not domain.ErrNotFound: both are random, so it is a bug.
func (s *store[T, P, C]) create(c C) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var r T
	if err := P(&r).fill(c, &s.t.strs); err != nil {
		return err
	}
	if err := s.t.insert(&r, now); err != nil {
		P(&r).release(&s.t.strs)
		return err
	}
	return nil
}

// get returns the live credential with secret hash h, or domain.ErrNotFound.
func (s *store[T, P, C]) get(h domain.SecretHash) (C, error) {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.t.liveByHash(h, now)
	if !ok {
		var zero C
		return zero, domain.ErrNotFound
	}
	return r.value(&s.t.strs), nil
}

// touch applies set to the live record with secret hash h, or returns domain.ErrNotFound: a
// record that expired before the touch stays expired, as moving its deadline would revive
// it.
func (s *store[T, P, C]) touch(h domain.SecretHash, set func(P)) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.t.liveByHash(h, now)
	if !ok {
		return domain.ErrNotFound
	}
	set(r)
	return nil
}

// list returns user's live credentials, newest first (ties by id); it is never nil.
func (s *store[T, P, C]) list(user domain.UserID) []C {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	live := s.t.liveOf(user, now)
	out := make([]C, len(live))
	for i, r := range live {
		out[i] = r.value(&s.t.strs)
	}
	return out
}

// remove deletes user's live credential with id, or returns domain.ErrNotFound.
func (s *store[T, P, C]) remove(user domain.UserID, id string) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, slot, ok := s.t.liveByID(id, now)
	if !ok || r.base().user != user {
		return domain.ErrNotFound
	}
	s.t.remove(slot)
	return nil
}

// removeUser deletes user's credentials except the live one with id except, and counts the
// live ones it deleted.
func (s *store[T, P, C]) removeUser(user domain.UserID, except string) int {
	return s.removeIf(user, func(r P) bool { return r.base().id.String() != except })
}

// removeIf deletes user's live credentials for which doomed is true, and counts them; it
// deletes user's expired ones too, uncounted. doomed runs under the lock, so it may read
// s.t.strs.
func (s *store[T, P, C]) removeIf(user domain.UserID, doomed func(P) bool) int {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.removeUserIf(user, now, doomed)
}

// Sweep deletes the expired records, which lookups already ignore, to free their memory, and
// reports how many it deleted. It holds the write lock while it walks every record.
func (s *store[T, P, C]) Sweep() int {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.sweep(now)
}
