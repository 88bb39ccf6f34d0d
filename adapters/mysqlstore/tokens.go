package mysqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TokenStore implements ports.TokenStore on the gatehouse_tokens table (see credentials); a
// NULL expires_at never expires.
type TokenStore struct {
	credentials[tokenRow, *tokenRow, domain.Token]
}

// NewTokenStore returns the token store of db.
func NewTokenStore(db *DB, clock ports.Clock) *TokenStore {
	return &TokenStore{credentials[tokenRow, *tokenRow, domain.Token]{db: db, clock: clock, t: table{
		name: "gatehouse_tokens", hash: "secret_hash", live: `(expires_at IS NULL OR expires_at > ?)`,
		columns: `id, user_id, name, created_at, last_used_at, expires_at, auth_level`,
	}}}
}

type tokenRow struct {
	ID                    string
	UserID                int64
	Name                  string
	CreatedAt             time.Time
	LastUsedAt, ExpiresAt sql.NullTime
	Level                 uint8
}

func (r *tokenRow) fields() []any {
	return []any{&r.ID, &r.UserID, &r.Name, &r.CreatedAt, &r.LastUsedAt, &r.ExpiresAt, &r.Level}
}

func (r *tokenRow) value(h domain.SecretHash) domain.Token {
	t := domain.Token{ID: r.ID, UserID: domain.UserID(r.UserID), Name: r.Name, SecretHash: h, CreatedAt: r.CreatedAt.UTC(),
		Level: domain.AuthLevel(r.Level)}
	if r.LastUsedAt.Valid {
		t.LastUsedAt = r.LastUsedAt.Time.UTC()
	}
	if r.ExpiresAt.Valid {
		t.ExpiresAt = r.ExpiresAt.Time.UTC()
	}
	return t
}

// nullTime stores the zero time ("never", "not yet") as NULL.
func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()} }

// CreateToken implements ports.TokenStore.
func (s *TokenStore) CreateToken(ctx context.Context, t domain.Token) error {
	return s.create(ctx, t.SecretHash, tokenRow{t.ID, int64(t.UserID), t.Name,
		t.CreatedAt.UTC(), nullTime(t.LastUsedAt), nullTime(t.ExpiresAt), uint8(t.Level.Effective())})
}

// TokenByHash implements ports.TokenStore with one primary-key read.
func (s *TokenStore) TokenByHash(ctx context.Context, h domain.SecretHash) (domain.Token, error) {
	return s.get(ctx, h)
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(ctx context.Context, h domain.SecretHash, lastUsed time.Time) error {
	return s.touch(ctx, h, `last_used_at = ?`, lastUsed.UTC())
}

// TokensByUser implements ports.TokenStore.
func (s *TokenStore) TokensByUser(ctx context.Context, user domain.UserID) ([]domain.Token, error) {
	return s.list(ctx, user)
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(ctx context.Context, user domain.UserID, id string) error {
	return s.remove(ctx, user, id)
}

// DeleteUserTokens implements ports.TokenStore; expired tokens are left to the sweeper.
func (s *TokenStore) DeleteUserTokens(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.removeUser(ctx, user, except)
}
