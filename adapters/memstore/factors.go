package memstore

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.FactorStore = (*FactorStore)(nil)

// FactorStore keeps second factors, TOTP and passkeys (passkeys.go), in maps under a lock:
// every compare-and-set of the ports is a read and a write under the one lock. Factors are
// stored and returned as copies, so no caller can change a stored sealed secret or
// credential in place.
type FactorStore struct {
	mu       sync.Mutex
	totp     map[domain.UserID]domain.TOTPFactor
	passkeys map[domain.UserID][]domain.Passkey // each in the port's order
}

// NewFactorStore returns an empty store.
func NewFactorStore() *FactorStore {
	return &FactorStore{totp: map[domain.UserID]domain.TOTPFactor{}, passkeys: map[domain.UserID][]domain.Passkey{}}
}

func copyFactor(f domain.TOTPFactor) domain.TOTPFactor {
	f.Sealed = bytes.Clone(f.Sealed)
	f.CreatedAt, f.LastUsedAt = utc(f.CreatedAt), utc(f.LastUsedAt)
	return f
}

// utc returns t in UTC, as the other stores give times back; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// PutTOTP implements ports.FactorStore.
func (s *FactorStore) PutTOTP(_ context.Context, f domain.TOTPFactor) error {
	f = copyFactor(f)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.totp[f.UserID]; ok && cur.Confirmed {
		return domain.ErrFactorExists
	}
	s.totp[f.UserID] = f
	return nil
}

// TOTP implements ports.FactorStore.
func (s *FactorStore) TOTP(_ context.Context, user domain.UserID) (domain.TOTPFactor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.totp[user]
	if !ok {
		return domain.TOTPFactor{}, domain.ErrNotFound
	}
	return copyFactor(f), nil
}

// ConfirmTOTP implements ports.FactorStore.
func (s *FactorStore) ConfirmTOTP(_ context.Context, user domain.UserID, sealed []byte, step int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.totp[user]
	if !ok || f.Confirmed || !bytes.Equal(f.Sealed, sealed) {
		return domain.ErrNotFound
	}
	f.Confirmed, f.LastStep = true, step
	s.totp[user] = f
	return nil
}

// UseTOTPStep implements ports.FactorStore.
func (s *FactorStore) UseTOTPStep(_ context.Context, user domain.UserID, step int64, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.totp[user]
	switch {
	case !ok || !f.Confirmed:
		return false, domain.ErrNotFound
	case step <= f.LastStep:
		return false, nil
	}
	f.LastStep, f.LastUsedAt = step, utc(at)
	s.totp[user] = f
	return true, nil
}

// Reseal implements ports.FactorStore.
func (s *FactorStore) Reseal(_ context.Context, user domain.UserID, old, new []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.totp[user]
	if !ok || !bytes.Equal(f.Sealed, old) {
		return domain.ErrNotFound
	}
	f.Sealed = bytes.Clone(new)
	s.totp[user] = f
	return nil
}

// DeleteTOTP implements ports.FactorStore.
func (s *FactorStore) DeleteTOTP(_ context.Context, user domain.UserID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.totp[user]; !ok {
		return domain.ErrNotFound
	}
	delete(s.totp, user)
	return nil
}

// DeleteUserFactors implements ports.FactorStore: the user's TOTP factor and passkeys.
func (s *FactorStore) DeleteUserFactors(_ context.Context, user domain.UserID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.totp, user)
	delete(s.passkeys, user)
	return nil
}

// AnyFactors implements ports.FactorStore. It counts TOTP factors only, as the port says.
func (s *FactorStore) AnyFactors(context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.totp) > 0, nil
}
