package redisstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TokenStore implements ports.TokenStore (see credentials for the layout).
type TokenStore struct{ k credentials[domain.Token] }

// NewTokenStore returns the token store of c; expiry is judged by clock.
func NewTokenStore(c *Client, clock ports.Clock) *TokenStore {
	return &TokenStore{k: credentials[domain.Token]{c: c, clock: clock, kind: "token", value: token}}
}

// token reads a token's record: its last use is the record's, its first string the name; a
// record written before levels has level 0, which is LevelPassword.
func token(r record, h domain.SecretHash) domain.Token {
	return domain.Token{
		ID: r.id, UserID: domain.UserID(r.uid), Name: r.strs[0], SecretHash: h,
		CreatedAt: r.created, LastUsedAt: r.last, ExpiresAt: r.exp, Level: domain.AuthLevel(r.level).Effective(),
	}
}

// CreateToken implements ports.TokenStore.
func (s *TokenStore) CreateToken(ctx context.Context, t domain.Token) error {
	rec := encode(t.ExpiresAt, t.LastUsedAt, int64(t.UserID), t.CreatedAt, t.ID, uint8(t.Level.Effective()), t.Name)
	return s.k.create(ctx, int64(t.UserID), t.ID, t.SecretHash, t.ExpiresAt, rec)
}

// TokenByHash implements ports.TokenStore with one GET.
func (s *TokenStore) TokenByHash(ctx context.Context, h domain.SecretHash) (domain.Token, error) {
	return s.k.get(ctx, h)
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(ctx context.Context, h domain.SecretHash, lastUsed time.Time) error {
	return s.k.touch(ctx, h, lastUsed, time.Time{})
}

// TokensByUser implements ports.TokenStore.
func (s *TokenStore) TokensByUser(ctx context.Context, user domain.UserID) ([]domain.Token, error) {
	return s.k.list(ctx, int64(user))
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(ctx context.Context, user domain.UserID, id string) error {
	return s.k.remove(ctx, int64(user), id)
}

// DeleteUserTokens implements ports.TokenStore.
func (s *TokenStore) DeleteUserTokens(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.k.removeAllBut(ctx, int64(user), except)
}
