package mysqlstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// SessionStore implements ports.SessionStore on the gatehouse_sessions table. Expiry is
// judged by the injected clock, not the server's, so every node and every test agree on it.
type SessionStore struct {
	db    *DB
	clock ports.Clock
}

// NewSessionStore returns the session store of db.
func NewSessionStore(db *DB, clock ports.Clock) *SessionStore {
	return &SessionStore{db: db, clock: clock}
}

type sessionRow struct {
	SecretHash []byte    `db:"secret_hash"`
	ID         string    `db:"id"`
	UserID     int64     `db:"user_id"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
	IP         string    `db:"ip"`
	UserAgent  string    `db:"user_agent"`
}

func (r sessionRow) session() domain.Session {
	s := domain.Session{ID: r.ID, UserID: domain.UserID(r.UserID), CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), IP: r.IP, UserAgent: r.UserAgent}
	copy(s.SecretHash[:], r.SecretHash)
	return s
}

const sessionColumns = `secret_hash, id, user_id, created_at, last_seen_at, expires_at, ip, user_agent`

// CreateSession implements ports.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, ss domain.Session) error {
	_, err := s.db.exec(ctx, `INSERT INTO gatehouse_sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ss.SecretHash[:], ss.ID, int64(ss.UserID), ss.CreatedAt.UTC(), ss.LastSeenAt.UTC(), ss.ExpiresAt.UTC(), ss.IP, ss.UserAgent)
	return err
}

// SessionByHash implements ports.SessionStore with one primary-key read.
func (s *SessionStore) SessionByHash(ctx context.Context, h domain.SecretHash) (domain.Session, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	// As TokenByHash: the key alone in the WHERE clause, expiry judged here, the hash not
	// read back, the row scanned by hand.
	var r sessionRow
	err := s.db.x.QueryRowContext(ctx, `SELECT id, user_id, created_at, last_seen_at, expires_at, ip, user_agent
		FROM gatehouse_sessions WHERE secret_hash = ?`, h[:]).
		Scan(&r.ID, &r.UserID, &r.CreatedAt, &r.LastSeenAt, &r.ExpiresAt, &r.IP, &r.UserAgent)
	if err != nil {
		return domain.Session{}, translate(err)
	}
	ss := r.session()
	if ss.Expired(s.clock.Now()) {
		return domain.Session{}, domain.ErrNotFound
	}
	ss.SecretHash = h
	return ss, nil
}

// TouchSession implements ports.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	return s.db.execOne(ctx, `UPDATE gatehouse_sessions SET last_seen_at = ?, expires_at = ?
		WHERE secret_hash = ? AND expires_at > ?`, lastSeen.UTC(), expiresAt.UTC(), h[:], s.clock.Now().UTC())
}

// SessionsByUser implements ports.SessionStore.
func (s *SessionStore) SessionsByUser(ctx context.Context, user domain.UserID) ([]domain.Session, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var rows []sessionRow
	err := s.db.x.SelectContext(ctx, &rows, `SELECT `+sessionColumns+` FROM gatehouse_sessions
		WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id`, int64(user), s.clock.Now().UTC())
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.Session, len(rows))
	for i, r := range rows {
		out[i] = r.session()
	}
	return out, nil
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, user domain.UserID, id string) error {
	return s.db.execOne(ctx, `DELETE FROM gatehouse_sessions WHERE id = ? AND user_id = ? AND expires_at > ?`,
		id, int64(user), s.clock.Now().UTC())
}

// DeleteUserSessions implements ports.SessionStore. Expired sessions are left to the sweeper,
// so the count is of live sessions only.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.db.exec(ctx, `DELETE FROM gatehouse_sessions WHERE user_id = ? AND id <> ? AND expires_at > ?`,
		int64(user), except, s.clock.Now().UTC())
}

// Sweep deletes expired sessions in small batches (see sweepExpired).
func (s *SessionStore) Sweep(ctx context.Context) (int, error) {
	return s.db.sweepExpired(ctx, "gatehouse_sessions", s.clock.Now().UTC())
}
