package memstore

import (
	"bytes"
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.CodeStore = (*CodeStore)(nil)

// CodeStore keeps one-time codes in memory, expiring them by its clock. It is a store like
// the session and token stores; a code has no public id, so the table's id is the secret
// hash itself, which is unique and fits.
type CodeStore struct {
	store[codeRecord, *codeRecord, domain.OneTimeCode]
}

// codeRecord is a domain.OneTimeCode with its strings interned (see table). Data is not
// interned: it is a ceremony's state, unique to its code. It is the one pointer in a code's
// record, so the collector scans the code table's chunks, which stay small next to the
// sessions': codes live minutes. Empty Data is kept as nil and reads back as nil.
type codeRecord struct {
	entry
	purpose uint32 // interned
	email   uint32 // interned
	data    []byte // a copy of the caller's, never shared
}

func (r *codeRecord) expired(now time.Time) bool {
	return domain.OneTimeCode{ExpiresAt: r.expires.time()}.Expired(now)
}

func (r *codeRecord) fill(c domain.OneTimeCode, strs *interner) error {
	id, err := newShortID(string(c.Hash[:]))
	if err != nil {
		return err
	}
	r.entry = entry{hash: c.Hash, id: id, user: c.UserID, created: pack(c.CreatedAt), expires: pack(c.ExpiresAt)}
	r.purpose, r.email = strs.add(string(c.Purpose)), strs.add(c.Email)
	r.data = cloneData(c.Data)
	return nil
}

func (r *codeRecord) release(strs *interner) {
	strs.release(r.purpose)
	strs.release(r.email)
}

func (r *codeRecord) value(strs *interner) domain.OneTimeCode {
	return domain.OneTimeCode{
		Purpose:   domain.CodePurpose(strs.str(r.purpose)),
		UserID:    r.user,
		Hash:      r.hash,
		Email:     strs.str(r.email),
		Data:      cloneData(r.data),
		CreatedAt: r.created.time(),
		ExpiresAt: r.expires.time(),
	}
}

// cloneData copies b so that neither the caller nor the store can change the other's
// bytes; empty becomes nil.
func cloneData(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// NewCodeStore returns an empty store that expires codes by clock.
func NewCodeStore(clock ports.Clock) *CodeStore {
	return &CodeStore{newStore[codeRecord, *codeRecord, domain.OneTimeCode](clock)}
}

// CreateCode implements ports.CodeStore.
func (s *CodeStore) CreateCode(_ context.Context, c domain.OneTimeCode) error {
	return s.create(c)
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
	c := r.value(&s.t.strs)
	s.t.remove(slot)
	return c, nil
}

// DeleteUserCodes implements ports.CodeStore.
func (s *CodeStore) DeleteUserCodes(_ context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error) {
	return s.removeIf(user, func(r *codeRecord) bool {
		return purpose == "" || s.t.strs.str(r.purpose) == string(purpose)
	}), nil
}
