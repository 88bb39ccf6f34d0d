package memstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.UserStore = (*UserStore)(nil)

// UserStore keeps accounts in maps. Users are stored and returned by value, so no caller can
// change a stored user except through the store's methods.
type UserStore struct {
	mu    sync.RWMutex
	byID  map[domain.UserID]domain.User
	byKey map[string]domain.UserID // domain.UsernameKey -> id: the uniqueness constraint
	// emails indexes the users per domain.EmailKey (empty addresses left out), in ascending
	// ID order: what domain.EmailUnique checks, under the same lock as the write it guards,
	// and what UsersByEmail reads.
	emails map[string][]domain.UserID
	lastID domain.UserID
}

// NewUserStore returns an empty store. IDs start at 1, so the zero UserID never names a user.
func NewUserStore() *UserStore {
	return &UserStore{byID: map[domain.UserID]domain.User{}, byKey: map[string]domain.UserID{}, emails: map[string][]domain.UserID{}}
}

// CreateUser implements ports.UserStore. It ignores u.ID. The checks for a taken username
// and address and the insert happen under one lock, so of concurrent creations of one
// username, or of one address under domain.EmailUnique, exactly one succeeds.
func (s *UserStore) CreateUser(_ context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	key, email := u.Key(), domain.EmailKey(u.Email) // normalising is the costly part: do it before taking the lock
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastID == math.MaxInt64 {
		return domain.User{}, errors.New("memstore: user IDs exhausted") // an import took the last one
	}
	u.ID = s.lastID + 1
	return u, s.insert(u, key, email, rule)
}

// ImportUser implements ports.UserStore. The ID check joins the others under the one lock,
// and lastID rises to the imported ID, so CreateUser never hands it out.
func (s *UserStore) ImportUser(_ context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	if u.ID < 1 {
		return domain.User{}, fmt.Errorf("memstore: imported user ID %d is below 1", u.ID)
	}
	key, email := u.Key(), domain.EmailKey(u.Email)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byID[u.ID]; taken {
		return domain.User{}, domain.ErrUserIDTaken
	}
	return u, s.insert(u, key, email, rule)
}

// insert stores u under u.ID unless its username or, under rule, its address is taken.
// The caller holds the write lock and has checked u.ID.
func (s *UserStore) insert(u domain.User, key, email string, rule domain.EmailRule) error {
	if _, taken := s.byKey[key]; taken {
		return domain.ErrUsernameTaken
	}
	if rule == domain.EmailUnique && len(s.emails[email]) > 0 {
		return domain.ErrEmailTaken
	}
	s.lastID = max(s.lastID, u.ID)
	s.byID[u.ID] = u
	s.byKey[key] = u.ID
	s.indexEmail(email, u.ID)
	return nil
}

// indexEmail adds id under an address key; the empty key is not indexed. IDs only grow, so
// appending keeps the list in order, except when a user moves to an address that others
// already have: then it is sorted into place.
func (s *UserStore) indexEmail(key string, id domain.UserID) {
	if key == "" {
		return
	}
	ids := append(s.emails[key], id)
	slices.Sort(ids)
	s.emails[key] = ids
}

// unindexEmail removes id from under an address key.
func (s *UserStore) unindexEmail(key string, id domain.UserID) {
	ids := slices.DeleteFunc(s.emails[key], func(x domain.UserID) bool { return x == id })
	if len(ids) == 0 {
		delete(s.emails, key)
		return
	}
	s.emails[key] = ids
}

// SetEmail implements ports.UserStore; check and write happen under one lock.
func (s *UserStore) SetEmail(_ context.Context, id domain.UserID, email string, rule domain.EmailRule) error {
	key := domain.EmailKey(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok {
		return domain.ErrNotFound
	}
	if old := domain.EmailKey(u.Email); old != key {
		if rule == domain.EmailUnique && len(s.emails[key]) > 0 {
			return domain.ErrEmailTaken
		}
		s.unindexEmail(old, id)
		s.indexEmail(key, id)
	}
	u.Email, u.EmailVerified = email, key != ""
	s.byID[id] = u
	return nil
}

// MarkEmailVerified implements ports.UserStore.
func (s *UserStore) MarkEmailVerified(_ context.Context, id domain.UserID, email string) error {
	key := domain.EmailKey(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok || key == "" || domain.EmailKey(u.Email) != key {
		return domain.ErrNotFound
	}
	u.EmailVerified = true
	s.byID[id] = u
	return nil
}

// UserByID implements ports.UserStore.
func (s *UserStore) UserByID(_ context.Context, id domain.UserID) (domain.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byID[id]
	if !ok {
		return domain.User{}, domain.ErrNotFound
	}
	return u, nil
}

// UserByUsername implements ports.UserStore.
func (s *UserStore) UserByUsername(_ context.Context, username string) (domain.User, error) {
	key := domain.UsernameKey(username)
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byID[s.byKey[key]]
	if !ok {
		return domain.User{}, domain.ErrNotFound
	}
	return u, nil
}

// UsersByEmail implements ports.UserStore from the address index.
func (s *UserStore) UsersByEmail(_ context.Context, email string) ([]domain.User, error) {
	key := domain.EmailKey(email)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]domain.User, 0, len(s.emails[key]))
	for _, id := range s.emails[key] {
		out = append(out, s.byID[id])
	}
	return out, nil
}

// SetPasswordHash implements ports.UserStore.
func (s *UserStore) SetPasswordHash(_ context.Context, id domain.UserID, old, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok || u.PasswordHash != old {
		return domain.ErrNotFound
	}
	u.PasswordHash = hash
	s.byID[id] = u
	return nil
}

// SetActive implements ports.UserStore.
func (s *UserStore) SetActive(_ context.Context, id domain.UserID, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok {
		return domain.ErrNotFound
	}
	u.IsActive = active
	s.byID[id] = u
	return nil
}

// DeleteUser implements ports.UserStore. The user, its username and its address go under
// one lock, so both are free the moment the call returns; lastID stays, so the ID is never reused.
func (s *UserStore) DeleteUser(_ context.Context, id domain.UserID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok {
		return domain.ErrNotFound
	}
	delete(s.byID, id)
	if key := u.Key(); s.byKey[key] == id {
		delete(s.byKey, key)
	}
	s.unindexEmail(domain.EmailKey(u.Email), id)
	return nil
}

// ListUsers implements ports.UserStore. IDs are never reused, so where they run densely a
// page is a walk up from after, skipping deleted IDs, rather than a sort of the whole map;
// where imports left wide gaps between IDs, the IDs above after are sorted instead.
func (s *UserStore) ListUsers(_ context.Context, after domain.UserID, limit int) ([]domain.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	after = max(after, 0)
	var out []domain.User
	if s.lastID-after > domain.UserID(2*len(s.byID)+limit) {
		ids := make([]domain.UserID, 0, len(s.byID))
		for id := range s.byID {
			if id > after {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids[:min(len(ids), max(limit, 0))] {
			out = append(out, s.byID[id])
		}
		return out, nil
	}
	for id := after + 1; id > 0 && id <= s.lastID && len(out) < limit; id++ { // id > 0: no wrap past MaxInt64
		if u, ok := s.byID[id]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}
