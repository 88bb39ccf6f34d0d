package memstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.SessionStore = (*SessionStore)(nil)

// SessionStore keeps browser sessions in memory, expiring them by its clock.
type SessionStore struct {
	store[sessionRecord, *sessionRecord, domain.Session]
}

// sessionRecord is a domain.Session in 112 bytes with no pointer, rather than 160 with five
// (see table for why).
type sessionRecord struct {
	entry
	lastSeen  stamp
	ip        uint32 // interned
	userAgent uint32 // interned
}

func (r *sessionRecord) expired(now time.Time) bool {
	return domain.Session{ExpiresAt: r.expires.time()}.Expired(now)
}

func (r *sessionRecord) fill(s domain.Session, strs *interner) error {
	id, err := newShortID(s.ID)
	if err != nil {
		return err
	}
	r.entry = entry{hash: s.SecretHash, id: id, level: s.Level.Effective(), user: s.UserID,
		created: pack(s.CreatedAt), expires: pack(s.ExpiresAt)}
	r.lastSeen, r.ip, r.userAgent = pack(s.LastSeenAt), strs.add(s.IP), strs.add(s.UserAgent)
	return nil
}

func (r *sessionRecord) release(strs *interner) {
	strs.release(r.ip)
	strs.release(r.userAgent)
}

func (r *sessionRecord) value(strs *interner) domain.Session {
	return domain.Session{
		ID:         r.id.String(),
		UserID:     r.user,
		SecretHash: r.hash,
		CreatedAt:  r.created.time(),
		LastSeenAt: r.lastSeen.time(),
		ExpiresAt:  r.expires.time(),
		IP:         strs.str(r.ip),
		UserAgent:  strs.str(r.userAgent),
		Level:      r.level,
	}
}

// NewSessionStore returns an empty store that expires sessions by clock.
func NewSessionStore(clock ports.Clock) *SessionStore {
	return &SessionStore{newStore[sessionRecord, *sessionRecord, domain.Session](clock)}
}

// CreateSession implements ports.SessionStore. A session whose id or secret hash is already
// live is refused with an error that is not domain.ErrNotFound: both are random, so it is a bug.
func (s *SessionStore) CreateSession(_ context.Context, sess domain.Session) error {
	return s.create(sess)
}

// SessionByHash implements ports.SessionStore.
func (s *SessionStore) SessionByHash(_ context.Context, h domain.SecretHash) (domain.Session, error) {
	return s.get(h)
}

// TouchSession implements ports.SessionStore. A session that expired before the touch stays
// expired: sliding the deadline of a dead session would revive it.
func (s *SessionStore) TouchSession(_ context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	return s.touch(h, func(r *sessionRecord) { r.lastSeen, r.expires = pack(lastSeen), pack(expiresAt) })
}

// SessionsByUser implements ports.SessionStore. Sessions created at the same instant are
// ordered by id. The list is never nil.
func (s *SessionStore) SessionsByUser(_ context.Context, user domain.UserID) ([]domain.Session, error) {
	return s.list(user), nil
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(_ context.Context, user domain.UserID, id string) error {
	return s.remove(user, id)
}

// DeleteUserSessions implements ports.SessionStore.
func (s *SessionStore) DeleteUserSessions(_ context.Context, user domain.UserID, except string) (int, error) {
	return s.removeUser(user, except), nil
}
