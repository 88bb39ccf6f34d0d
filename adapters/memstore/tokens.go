package memstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.TokenStore = (*TokenStore)(nil)

// TokenStore keeps API tokens in memory, expiring them by its clock.
type TokenStore struct {
	store[tokenRecord, *tokenRecord, domain.Token]
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

func (r *tokenRecord) fill(t domain.Token, strs *interner) error {
	id, err := newShortID(t.ID)
	if err != nil {
		return err
	}
	r.entry = entry{hash: t.SecretHash, id: id, level: t.Level.Effective(), user: t.UserID,
		created: pack(t.CreatedAt), expires: pack(t.ExpiresAt)}
	r.lastUsed, r.name = pack(t.LastUsedAt), strs.add(t.Name)
	return nil
}

func (r *tokenRecord) release(strs *interner) { strs.release(r.name) }

func (r *tokenRecord) value(strs *interner) domain.Token {
	return domain.Token{
		ID:         r.id.String(),
		UserID:     r.user,
		Name:       strs.str(r.name),
		SecretHash: r.hash,
		CreatedAt:  r.created.time(),
		LastUsedAt: r.lastUsed.time(),
		ExpiresAt:  r.expires.time(),
		Level:      r.level,
	}
}

// NewTokenStore returns an empty store that expires tokens by clock.
func NewTokenStore(clock ports.Clock) *TokenStore {
	return &TokenStore{newStore[tokenRecord, *tokenRecord, domain.Token](clock)}
}

// CreateToken implements ports.TokenStore. A token whose id or secret hash is already live is
// refused with an error that is not domain.ErrNotFound: both are random, so it is a bug.
func (s *TokenStore) CreateToken(_ context.Context, t domain.Token) error {
	return s.create(t)
}

// TokenByHash implements ports.TokenStore.
func (s *TokenStore) TokenByHash(_ context.Context, h domain.SecretHash) (domain.Token, error) {
	return s.get(h)
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(_ context.Context, h domain.SecretHash, lastUsed time.Time) error {
	return s.touch(h, func(r *tokenRecord) { r.lastUsed = pack(lastUsed) })
}

// TokensByUser implements ports.TokenStore. Tokens created at the same instant are ordered by
// id. The list is never nil.
func (s *TokenStore) TokensByUser(_ context.Context, user domain.UserID) ([]domain.Token, error) {
	return s.list(user), nil
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(_ context.Context, user domain.UserID, id string) error {
	return s.remove(user, id)
}

// DeleteUserTokens implements ports.TokenStore.
func (s *TokenStore) DeleteUserTokens(_ context.Context, user domain.UserID, except string) (int, error) {
	return s.removeUser(user, except), nil
}
