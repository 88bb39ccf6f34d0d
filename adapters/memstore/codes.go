package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.CodeStore = (*CodeStore)(nil)

// CodeStore keeps one-time codes in memory, expiring them by its clock. It is a table like
// the session and token stores; a code has no public id, so the table's id is the secret
// hash itself, which is unique and fits.
type CodeStore struct {
	clock ports.Clock
	mu    sync.Mutex
	t     table[codeRecord, *codeRecord]
}

// codeRecord is a domain.OneTimeCode with its strings interned (see table).
type codeRecord struct {
	entry
	purpose uint32 // interned
	email   uint32 // interned
}

func (r *codeRecord) expired(now time.Time) bool {
	return domain.OneTimeCode{ExpiresAt: r.expires.time()}.Expired(now)
}

func (r *codeRecord) release(strs *interner) {
	strs.release(r.purpose)
	strs.release(r.email)
}

func (r *codeRecord) code(strs *interner) domain.OneTimeCode {
	return domain.OneTimeCode{
		Purpose:   domain.CodePurpose(strs.str(r.purpose)),
		UserID:    r.user,
		Hash:      r.hash,
		Email:     strs.str(r.email),
		CreatedAt: r.created.time(),
		ExpiresAt: r.expires.time(),
	}
}

// NewCodeStore returns an empty store that expires codes by clock.
func NewCodeStore(clock ports.Clock) *CodeStore {
	return &CodeStore{clock: clock, t: newTable[codeRecord]()}
}

// CreateCode implements ports.CodeStore.
func (s *CodeStore) CreateCode(_ context.Context, c domain.OneTimeCode) error {
	id, err := newShortID(string(c.Hash[:]))
	if err != nil {
		return err
	}
	r := &codeRecord{entry: entry{hash: c.Hash, id: id, user: c.UserID, created: pack(c.CreatedAt), expires: pack(c.ExpiresAt)}}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r.purpose, r.email = s.t.strs.add(string(c.Purpose)), s.t.strs.add(c.Email)
	if err := s.t.insert(r, now); err != nil {
		r.release(&s.t.strs)
		return err
	}
	return nil
}

// ConsumeCode implements ports.CodeStore. The store's lock makes finding and removing the
// code one step.
func (s *CodeStore) ConsumeCode(_ context.Context, purpose domain.CodePurpose, h domain.SecretHash) (domain.OneTimeCode, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	slot, ok := s.t.findHash(&h)
	if !ok {
		return domain.OneTimeCode{}, domain.ErrNotFound
	}
	r := s.t.at(slot)
	if r.expired(now) || s.t.strs.str(r.purpose) != string(purpose) {
		return domain.OneTimeCode{}, domain.ErrNotFound
	}
	c := r.code(&s.t.strs)
	s.t.remove(slot)
	return c, nil
}

// DeleteUserCodes implements ports.CodeStore.
func (s *CodeStore) DeleteUserCodes(_ context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.removeUserIf(user, now, func(r *codeRecord) bool {
		return purpose == "" || s.t.strs.str(r.purpose) == string(purpose)
	}), nil
}

// Sweep deletes the expired codes, which lookups already ignore, to free their memory, and
// reports how many it deleted.
func (s *CodeStore) Sweep() int {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.sweep(now)
}
