package memstore

import (
	"context"
	"sync"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.UserStore = (*UserStore)(nil)

// UserStore keeps accounts in maps. Users are stored and returned by value, so no caller can
// change a stored user except through the store's methods.
type UserStore struct {
	mu     sync.RWMutex
	byID   map[domain.UserID]domain.User
	byKey  map[string]domain.UserID // domain.UsernameKey -> id: the uniqueness constraint
	lastID domain.UserID
}

// NewUserStore returns an empty store. IDs start at 1, so the zero UserID never names a user.
func NewUserStore() *UserStore {
	return &UserStore{byID: map[domain.UserID]domain.User{}, byKey: map[string]domain.UserID{}}
}

// CreateUser implements ports.UserStore. It ignores u.ID. The check for a taken username and
// the insert happen under one lock, so of concurrent creations of one username exactly one
// succeeds.
func (s *UserStore) CreateUser(_ context.Context, u domain.User) (domain.User, error) {
	key := u.Key() // normalising is the costly part: do it before taking the lock
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.byKey[key]; taken {
		return domain.User{}, domain.ErrUsernameTaken
	}
	s.lastID++
	u.ID = s.lastID
	s.byID[u.ID] = u
	s.byKey[key] = u.ID
	return u, nil
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

// UsersByEmail implements ports.UserStore. It walks every user: addresses are looked up
// only by password reset requests, which are throttled, and the memory store serves tests
// and single-instance setups whose user count a scan handles well below the time of the
// password hash that every reset confirmation costs anyway. Keeping an index would have to
// follow every future change of address.
func (s *UserStore) UsersByEmail(_ context.Context, email string) ([]domain.User, error) {
	key := domain.EmailKey(email)
	out := []domain.User{}
	if key == "" {
		return out, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for id := domain.UserID(1); id <= s.lastID; id++ {
		if u, ok := s.byID[id]; ok && u.Email != "" && domain.EmailKey(u.Email) == key {
			out = append(out, u)
		}
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

// DeleteUser implements ports.UserStore. The user and its username go under one lock, so
// the name is free the moment the call returns; lastID stays, so the ID is never reused.
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
