package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.TokenStore = (*TokenStore)(nil)

// TokenStore keeps API tokens in memory, expiring them by its clock.
type TokenStore struct {
	clock ports.Clock
	mu    sync.RWMutex
	t     table[tokenRecord, *tokenRecord]
}

// tokenRecord is a domain.Token in 112 bytes with no pointer, rather than 144 with four (see
// table for why).
type tokenRecord struct {
	entry
	lastUsed stamp
	name     uint32 // interned
}

func (r *tokenRecord) expired(now time.Time) bool {
	return domain.Token{ExpiresAt: r.expires.time()}.Expired(now)
}

func (r *tokenRecord) release(strs *interner) { strs.release(r.name) }

func (r *tokenRecord) token(strs *interner) domain.Token {
	return domain.Token{
		ID:         r.id.String(),
		UserID:     r.user,
		Name:       strs.str(r.name),
		SecretHash: r.hash,
		CreatedAt:  r.created.time(),
		LastUsedAt: r.lastUsed.time(),
		ExpiresAt:  r.expires.time(),
	}
}

// NewTokenStore returns an empty store that expires tokens by clock.
func NewTokenStore(clock ports.Clock) *TokenStore {
	return &TokenStore{clock: clock, t: newTable[tokenRecord]()}
}

// CreateToken implements ports.TokenStore. A token whose id or secret hash is already live is
// refused with an error that is not domain.ErrNotFound: both are random, so it is a bug.
func (s *TokenStore) CreateToken(_ context.Context, t domain.Token) error {
	id, err := newShortID(t.ID)
	if err != nil {
		return err
	}
	r := &tokenRecord{
		entry:    entry{hash: t.SecretHash, id: id, user: t.UserID, created: pack(t.CreatedAt), expires: pack(t.ExpiresAt)},
		lastUsed: pack(t.LastUsedAt),
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r.name = s.t.strs.add(t.Name)
	if err := s.t.insert(r, now); err != nil {
		s.t.strs.release(r.name)
		return err
	}
	return nil
}

// TokenByHash implements ports.TokenStore.
func (s *TokenStore) TokenByHash(_ context.Context, h domain.SecretHash) (domain.Token, error) {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.t.liveByHash(h, now)
	if !ok {
		return domain.Token{}, domain.ErrNotFound
	}
	return r.token(&s.t.strs), nil
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(_ context.Context, h domain.SecretHash, lastUsed time.Time) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.t.liveByHash(h, now)
	if !ok {
		return domain.ErrNotFound
	}
	r.lastUsed = pack(lastUsed)
	return nil
}

// TokensByUser implements ports.TokenStore. Tokens created at the same instant are ordered by
// id. The list is never nil.
func (s *TokenStore) TokensByUser(_ context.Context, user domain.UserID) ([]domain.Token, error) {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	live := s.t.liveOf(user, now)
	list := make([]domain.Token, len(live))
	for i, r := range live {
		list[i] = r.token(&s.t.strs)
	}
	return list, nil
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(_ context.Context, user domain.UserID, id string) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, slot, ok := s.t.liveByID(id, now)
	if !ok || r.user != user {
		return domain.ErrNotFound
	}
	s.t.remove(slot)
	return nil
}

// DeleteUserTokens implements ports.TokenStore.
func (s *TokenStore) DeleteUserTokens(_ context.Context, user domain.UserID, except string) (int, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.removeUser(user, except, now), nil
}

// Sweep deletes the expired tokens, which lookups already ignore, to free their memory, and
// reports how many it deleted. It holds the write lock while it walks every token.
func (s *TokenStore) Sweep() int {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.sweep(now)
}
