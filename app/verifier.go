package app

import (
	"context"
	"errors"
	"sync"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Verifier checks a username and password. Login, token login and Basic authentication all
// go through it, so they share one timing profile and one upgrade path.
type Verifier struct {
	users  ports.UserStore
	hasher ports.PasswordHasher
	dummy  func() (string, error)
}

// NewVerifier returns a Verifier over users and hasher.
func NewVerifier(users ports.UserStore, hasher ports.PasswordHasher) *Verifier {
	return &Verifier{
		users:  users,
		hasher: hasher,
		dummy: sync.OnceValues(func() (string, error) {
			return hasher.Hash("gatehouse timing equaliser")
		}),
	}
}

// Check returns the active user with that username and password, or
// domain.ErrInvalidCredentials. An unknown username still costs one hash verification, so
// the response time does not reveal whether the account exists (OWASP Authentication Cheat
// Sheet). A hash with outdated parameters is replaced after a successful check.
func (v *Verifier) Check(ctx context.Context, username, password string) (domain.User, error) {
	if len(password) > domain.MaxPasswordBytes {
		// No stored password is this long, and hashing it would only cost us time.
		return domain.User{}, domain.ErrInvalidCredentials
	}
	user, err := v.lookup(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		if dummy, err := v.dummy(); err == nil {
			v.hasher.Verify(password, dummy)
		}
		return domain.User{}, domain.ErrInvalidCredentials
	}
	if err != nil {
		return domain.User{}, err
	}
	ok, rehash := v.hasher.Verify(password, user.PasswordHash)
	if !ok || !user.IsActive {
		return domain.User{}, domain.ErrInvalidCredentials
	}
	if rehash {
		// Best effort: a failed upgrade is retried at the next login, and must not fail this one.
		if hash, err := v.hasher.Hash(password); err == nil {
			if v.users.SetPasswordHash(ctx, user.ID, user.PasswordHash, hash) == nil {
				user.PasswordHash = hash
			}
		}
	}
	return user, nil
}

func (v *Verifier) lookup(ctx context.Context, username string) (domain.User, error) {
	name, err := domain.NormalizeUsername(username)
	if err != nil {
		return domain.User{}, domain.ErrNotFound
	}
	return v.users.UserByUsername(ctx, name)
}
