package mysqlstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// SessionStore implements ports.SessionStore on the gatehouse_sessions table (see
// credentials).
type SessionStore struct {
	credentials[sessionRow, *sessionRow, domain.Session]
}

// NewSessionStore returns the session store of db.
func NewSessionStore(db *DB, clock ports.Clock) *SessionStore {
	return &SessionStore{credentials[sessionRow, *sessionRow, domain.Session]{db: db, clock: clock, t: table{
		name: "gatehouse_sessions", hash: "secret_hash", live: expiresLive,
		columns: `id, user_id, created_at, last_seen_at, expires_at, ip, user_agent, auth_level`,
	}}}
}

type sessionRow struct {
	ID                               string
	UserID                           int64
	CreatedAt, LastSeenAt, ExpiresAt time.Time
	IP, UserAgent                    string
	Level                            uint8
}

func (r *sessionRow) fields() []any {
	return []any{&r.ID, &r.UserID, &r.CreatedAt, &r.LastSeenAt, &r.ExpiresAt, &r.IP, &r.UserAgent, &r.Level}
}

func (r *sessionRow) value(h domain.SecretHash) domain.Session {
	return domain.Session{ID: r.ID, UserID: domain.UserID(r.UserID), SecretHash: h, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), IP: r.IP, UserAgent: r.UserAgent,
		Level: domain.AuthLevel(r.Level)}
}

// CreateSession implements ports.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, ss domain.Session) error {
	return s.create(ctx, ss.SecretHash, sessionRow{ss.ID, int64(ss.UserID),
		ss.CreatedAt.UTC(), ss.LastSeenAt.UTC(), ss.ExpiresAt.UTC(), ss.IP, ss.UserAgent, uint8(ss.Level.Effective())})
}

// SessionByHash implements ports.SessionStore with one primary-key read.
func (s *SessionStore) SessionByHash(ctx context.Context, h domain.SecretHash) (domain.Session, error) {
	return s.get(ctx, h)
}

// TouchSession implements ports.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	return s.touch(ctx, h, `last_seen_at = ?, expires_at = ?`, lastSeen.UTC(), expiresAt.UTC())
}

// SessionsByUser implements ports.SessionStore.
func (s *SessionStore) SessionsByUser(ctx context.Context, user domain.UserID) ([]domain.Session, error) {
	return s.list(ctx, user)
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, user domain.UserID, id string) error {
	return s.remove(ctx, user, id)
}

// DeleteUserSessions implements ports.SessionStore. Expired sessions are left to the sweeper,
// so the count is of live sessions only.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.removeUser(ctx, user, except)
}
