package memstore

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.PasskeyStore = (*FactorStore)(nil)

// The FactorStore keeps passkeys too, under the same lock, so DeleteUserFactors removes a
// user's TOTP factor and passkeys in one step. A user's passkeys are a slice kept in the
// port's order: a user has at most domain.MaxPasskeys, so a linear search is the cheapest.

func copyPasskey(p domain.Passkey) domain.Passkey {
	p.CredentialID, p.Data = bytes.Clone(p.CredentialID), bytes.Clone(p.Data)
	p.CreatedAt, p.LastUsedAt = utc(p.CreatedAt), utc(p.LastUsedAt)
	return p
}

// comparePasskeys orders passkeys oldest first, those created at one instant by their
// credential ids' bytes, as the other stores do.
func comparePasskeys(a, b domain.Passkey) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.CredentialID, b.CredentialID))
}

// passkeyIndex returns the index of user's passkey credentialID, or -1. It needs s.mu.
func (s *FactorStore) passkeyIndex(user domain.UserID, credentialID []byte) int {
	return slices.IndexFunc(s.passkeys[user], func(p domain.Passkey) bool {
		return bytes.Equal(p.CredentialID, credentialID)
	})
}

// AddPasskey implements ports.PasskeyStore. The lock makes the checks and the write one step.
func (s *FactorStore) AddPasskey(_ context.Context, p domain.Passkey) error {
	p = copyPasskey(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.passkeyIndex(p.UserID, p.CredentialID) >= 0:
		return domain.ErrPasskeyExists
	case len(s.passkeys[p.UserID]) >= domain.MaxPasskeys:
		return domain.ErrTooManyPasskeys
	}
	keys := append(s.passkeys[p.UserID], p)
	slices.SortStableFunc(keys, comparePasskeys)
	s.passkeys[p.UserID] = keys
	return nil
}

// Passkeys implements ports.PasskeyStore.
func (s *FactorStore) Passkeys(_ context.Context, user domain.UserID) ([]domain.Passkey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]domain.Passkey, len(s.passkeys[user]))
	for i, p := range s.passkeys[user] {
		out[i] = copyPasskey(p)
	}
	return out, nil
}

// UsePasskey implements ports.PasskeyStore.
func (s *FactorStore) UsePasskey(_ context.Context, user domain.UserID, credentialID, data []byte, at time.Time) error {
	data = bytes.Clone(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.passkeyIndex(user, credentialID)
	if i < 0 {
		return domain.ErrNotFound
	}
	p := &s.passkeys[user][i]
	p.Data, p.LastUsedAt = data, utc(at)
	return nil
}

// DeletePasskey implements ports.PasskeyStore.
func (s *FactorStore) DeletePasskey(_ context.Context, user domain.UserID, credentialID []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.passkeyIndex(user, credentialID)
	if i < 0 {
		return domain.ErrNotFound
	}
	if keys := slices.Delete(s.passkeys[user], i, i+1); len(keys) > 0 {
		s.passkeys[user] = keys
	} else {
		delete(s.passkeys, user)
	}
	return nil
}
