package memstore

import (
	"context"
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
	if _, taken := s.byKey[key]; taken {
		return domain.User{}, domain.ErrUsernameTaken
	}
	if rule == domain.EmailUnique && len(s.emails[email]) > 0 {
		return domain.User{}, domain.ErrEmailTaken
	}
	s.lastID++
	u.ID = s.lastID
	s.byID[u.ID] = u
	s.byKey[key] = u.ID
	s.indexEmail(email, u.ID)
	return u, nil
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

// ListUsers implements ports.UserStore. IDs run from 1 to lastID and are never reused, so
// a page is a walk up from after, skipping deleted IDs, rather than a sort of the whole map.
func (s *UserStore) ListUsers(_ context.Context, after domain.UserID, limit int) ([]domain.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []domain.User
	for id := max(after, 0) + 1; id <= s.lastID && len(out) < limit; id++ {
		if u, ok := s.byID[id]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}
