package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.SessionStore = (*SessionStore)(nil)

// SessionStore keeps browser sessions in memory, expiring them by its clock.
type SessionStore struct {
	clock ports.Clock
	mu    sync.RWMutex
	t     table[sessionRecord, *sessionRecord]
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

func (r *sessionRecord) release(strs *interner) {
	strs.release(r.ip)
	strs.release(r.userAgent)
}

func (r *sessionRecord) session(strs *interner) domain.Session {
	return domain.Session{
		ID:         r.id.String(),
		UserID:     r.user,
		SecretHash: r.hash,
		CreatedAt:  r.created.time(),
		LastSeenAt: r.lastSeen.time(),
		ExpiresAt:  r.expires.time(),
		IP:         strs.str(r.ip),
		UserAgent:  strs.str(r.userAgent),
	}
}

// NewSessionStore returns an empty store that expires sessions by clock.
func NewSessionStore(clock ports.Clock) *SessionStore {
	return &SessionStore{clock: clock, t: newTable[sessionRecord]()}
}

// CreateSession implements ports.SessionStore. A session whose id or secret hash is already
// live is refused with an error that is not domain.ErrNotFound: both are random, so it is a bug.
func (s *SessionStore) CreateSession(_ context.Context, sess domain.Session) error {
	id, err := newShortID(sess.ID)
	if err != nil {
		return err
	}
	r := &sessionRecord{
		entry:    entry{hash: sess.SecretHash, id: id, user: sess.UserID, created: pack(sess.CreatedAt), expires: pack(sess.ExpiresAt)},
		lastSeen: pack(sess.LastSeenAt),
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ip, r.userAgent = s.t.strs.add(sess.IP), s.t.strs.add(sess.UserAgent)
	if err := s.t.insert(r, now); err != nil {
		r.release(&s.t.strs)
		return err
	}
	return nil
}

// SessionByHash implements ports.SessionStore.
func (s *SessionStore) SessionByHash(_ context.Context, h domain.SecretHash) (domain.Session, error) {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.t.liveByHash(h, now)
	if !ok {
		return domain.Session{}, domain.ErrNotFound
	}
	return r.session(&s.t.strs), nil
}

// TouchSession implements ports.SessionStore. A session that expired before the touch stays
// expired: sliding the deadline of a dead session would revive it.
func (s *SessionStore) TouchSession(_ context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.t.liveByHash(h, now)
	if !ok {
		return domain.ErrNotFound
	}
	r.lastSeen, r.expires = pack(lastSeen), pack(expiresAt)
	return nil
}

// SessionsByUser implements ports.SessionStore. Sessions created at the same instant are
// ordered by id. The list is never nil.
func (s *SessionStore) SessionsByUser(_ context.Context, user domain.UserID) ([]domain.Session, error) {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	live := s.t.liveOf(user, now)
	list := make([]domain.Session, len(live))
	for i, r := range live {
		list[i] = r.session(&s.t.strs)
	}
	return list, nil
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(_ context.Context, user domain.UserID, id string) error {
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

// DeleteUserSessions implements ports.SessionStore.
func (s *SessionStore) DeleteUserSessions(_ context.Context, user domain.UserID, except string) (int, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.removeUser(user, except, now), nil
}

// Sweep deletes the expired sessions, which lookups already ignore, to free their memory, and
// reports how many it deleted. It holds the write lock while it walks every session.
func (s *SessionStore) Sweep() int {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.sweep(now)
}
