package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// SessionStore implements ports.SessionStore (see credentials for the layout).
type SessionStore struct{ k credentials }

// NewSessionStore returns the session store of c; expiry is judged by clock.
func NewSessionStore(c *Client, clock ports.Clock) *SessionStore {
	return &SessionStore{k: credentials{c: c, clock: clock, kind: "session"}}
}

// CreateSession implements ports.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, ss domain.Session) error {
	return s.k.create(ctx, int64(ss.UserID), ss.ID, ss.SecretHash, ss.ExpiresAt, map[string]any{
		"created": micros(ss.CreatedAt), "seen": micros(ss.LastSeenAt), "ip": ss.IP, "ua": ss.UserAgent,
	})
}

func session(m map[string]string, h domain.SecretHash) domain.Session {
	uid, _ := strconv.ParseInt(m["uid"], 10, 64)
	return domain.Session{
		ID: m["id"], UserID: domain.UserID(uid), SecretHash: h,
		CreatedAt: parseMicros(m["created"]), LastSeenAt: parseMicros(m["seen"]), ExpiresAt: parseMicros(m["exp"]),
		IP: m["ip"], UserAgent: m["ua"],
	}
}

// SessionByHash implements ports.SessionStore with one HGETALL.
func (s *SessionStore) SessionByHash(ctx context.Context, h domain.SecretHash) (domain.Session, error) {
	m, err := s.k.get(ctx, h)
	if err != nil {
		return domain.Session{}, err
	}
	return session(m, h), nil
}

// TouchSession implements ports.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	return s.k.touch(ctx, h, expiresAt, "seen", micros(lastSeen))
}

// SessionsByUser implements ports.SessionStore.
func (s *SessionStore) SessionsByUser(ctx context.Context, user domain.UserID) ([]domain.Session, error) {
	records, err := s.k.list(ctx, int64(user))
	if err != nil {
		return nil, err
	}
	out := make([]domain.Session, len(records))
	for i, m := range records {
		out[i] = session(m, hashOf(m))
	}
	return out, nil
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, user domain.UserID, id string) error {
	return s.k.remove(ctx, int64(user), id)
}

// DeleteUserSessions implements ports.SessionStore.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.k.removeAllBut(ctx, int64(user), except)
}
