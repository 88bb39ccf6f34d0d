package mysqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TokenStore implements ports.TokenStore on the gatehouse_tokens table. Expiry is judged by
// the injected clock; a NULL expires_at never expires.
type TokenStore struct {
	db    *DB
	clock ports.Clock
}

// NewTokenStore returns the token store of db.
func NewTokenStore(db *DB, clock ports.Clock) *TokenStore {
	return &TokenStore{db: db, clock: clock}
}

type tokenRow struct {
	SecretHash []byte       `db:"secret_hash"`
	ID         string       `db:"id"`
	UserID     int64        `db:"user_id"`
	Name       string       `db:"name"`
	CreatedAt  time.Time    `db:"created_at"`
	LastUsedAt sql.NullTime `db:"last_used_at"`
	ExpiresAt  sql.NullTime `db:"expires_at"`
}

func (r tokenRow) token() domain.Token {
	t := domain.Token{ID: r.ID, UserID: domain.UserID(r.UserID), Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
	if r.LastUsedAt.Valid {
		t.LastUsedAt = r.LastUsedAt.Time.UTC()
	}
	if r.ExpiresAt.Valid {
		t.ExpiresAt = r.ExpiresAt.Time.UTC()
	}
	copy(t.SecretHash[:], r.SecretHash)
	return t
}

// nullTime stores the zero time ("never", "not yet") as NULL.
func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()} }

const (
	tokenColumns = `secret_hash, id, user_id, name, created_at, last_used_at, expires_at`
	tokenLive    = `(expires_at IS NULL OR expires_at > ?)`
)

// CreateToken implements ports.TokenStore.
func (s *TokenStore) CreateToken(ctx context.Context, t domain.Token) error {
	_, err := s.db.exec(ctx, `INSERT INTO gatehouse_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.SecretHash[:], t.ID, int64(t.UserID), t.Name, t.CreatedAt.UTC(), nullTime(t.LastUsedAt), nullTime(t.ExpiresAt))
	return err
}

// TokenByHash implements ports.TokenStore with one primary-key read.
//
// This is every token request's read, so it is the cheapest one: the key alone in the WHERE
// clause (a liveness condition there makes the server weigh the expiry index and the client
// format a time on every request, about a sixth of the read's cost), expiry judged here by
// the same clock, the hash not read back, and the row scanned by hand rather than by sqlx's
// reflection.
func (s *TokenStore) TokenByHash(ctx context.Context, h domain.SecretHash) (domain.Token, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var r tokenRow
	err := s.db.x.QueryRowContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, expires_at
		FROM gatehouse_tokens WHERE secret_hash = ?`, h[:]).
		Scan(&r.ID, &r.UserID, &r.Name, &r.CreatedAt, &r.LastUsedAt, &r.ExpiresAt)
	if err != nil {
		return domain.Token{}, translate(err)
	}
	t := r.token()
	if t.Expired(s.clock.Now()) {
		return domain.Token{}, domain.ErrNotFound
	}
	t.SecretHash = h
	return t, nil
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(ctx context.Context, h domain.SecretHash, lastUsed time.Time) error {
	return s.db.execOne(ctx, `UPDATE gatehouse_tokens SET last_used_at = ? WHERE secret_hash = ? AND `+tokenLive,
		lastUsed.UTC(), h[:], s.clock.Now().UTC())
}

// TokensByUser implements ports.TokenStore.
func (s *TokenStore) TokensByUser(ctx context.Context, user domain.UserID) ([]domain.Token, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var rows []tokenRow
	err := s.db.x.SelectContext(ctx, &rows, `SELECT `+tokenColumns+` FROM gatehouse_tokens
		WHERE user_id = ? AND `+tokenLive+` ORDER BY created_at DESC, id`, int64(user), s.clock.Now().UTC())
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(ctx context.Context, user domain.UserID, id string) error {
	return s.db.execOne(ctx, `DELETE FROM gatehouse_tokens WHERE id = ? AND user_id = ? AND `+tokenLive,
		id, int64(user), s.clock.Now().UTC())
}

// DeleteUserTokens implements ports.TokenStore; expired tokens are left to the sweeper.
func (s *TokenStore) DeleteUserTokens(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.db.exec(ctx, `DELETE FROM gatehouse_tokens WHERE user_id = ? AND id <> ? AND `+tokenLive,
		int64(user), except, s.clock.Now().UTC())
}

// Sweep deletes expired tokens in small batches (see sweepExpired).
func (s *TokenStore) Sweep(ctx context.Context) (int, error) {
	return s.db.sweepExpired(ctx, "gatehouse_tokens", s.clock.Now().UTC())
}
