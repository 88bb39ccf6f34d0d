package redisstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// SessionStore implements ports.SessionStore (see credentials for the layout).
type SessionStore struct{ k credentials[domain.Session] }

// NewSessionStore returns the session store of c; expiry is judged by clock.
func NewSessionStore(c *Client, clock ports.Clock) *SessionStore {
	return &SessionStore{k: credentials[domain.Session]{c: c, clock: clock, kind: "session", value: session}}
}

// session reads a session's record: its last use is the last activity, its strings the IP
// and the user agent; a record written before levels has level 0, which is LevelPassword.
func session(r record, h domain.SecretHash) domain.Session {
	return domain.Session{
		ID: r.id, UserID: domain.UserID(r.uid), SecretHash: h,
		CreatedAt: r.created, LastSeenAt: r.last, ExpiresAt: r.exp, IP: r.strs[0], UserAgent: r.strs[1],
		Level: domain.AuthLevel(r.level).Effective(),
	}
}

// CreateSession implements ports.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, ss domain.Session) error {
	rec := encode(ss.ExpiresAt, ss.LastSeenAt, int64(ss.UserID), ss.CreatedAt, ss.ID,
		uint8(ss.Level.Effective()), ss.IP, ss.UserAgent)
	return s.k.create(ctx, int64(ss.UserID), ss.ID, ss.SecretHash, ss.ExpiresAt, rec)
}

// SessionByHash implements ports.SessionStore with one GET.
func (s *SessionStore) SessionByHash(ctx context.Context, h domain.SecretHash) (domain.Session, error) {
	return s.k.get(ctx, h)
}

// TouchSession implements ports.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	return s.k.touch(ctx, h, lastSeen, expiresAt)
}

// SessionsByUser implements ports.SessionStore.
func (s *SessionStore) SessionsByUser(ctx context.Context, user domain.UserID) ([]domain.Session, error) {
	return s.k.list(ctx, int64(user))
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, user domain.UserID, id string) error {
	return s.k.remove(ctx, int64(user), id)
}

// DeleteUserSessions implements ports.SessionStore.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.k.removeAllBut(ctx, int64(user), except)
}
