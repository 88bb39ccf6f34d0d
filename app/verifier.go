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
	users    ports.UserStore
	hasher   ports.PasswordHasher
	limiter  ports.RateLimiter
	throttle Throttle
	audit    ports.Auditor

	mu    sync.Mutex
	dummy string // a hash of nothing, verified for unknown users
}

// NewVerifier returns a Verifier over users and hasher that counts failures in limiter and
// records them with audit.
func NewVerifier(users ports.UserStore, hasher ports.PasswordHasher, limiter ports.RateLimiter, throttle Throttle, audit ports.Auditor) *Verifier {
	return &Verifier{users: users, hasher: hasher, limiter: limiter, throttle: throttle, audit: audit}
}

// Check returns the active user with that username and password, or
// domain.ErrInvalidCredentials. An unknown username still costs one hash verification, so
// the response time does not reveal whether the account exists (OWASP Authentication Cheat
// Sheet). A hash with outdated parameters is replaced after a successful check.
//
// Failures are counted per (username, ip) and per ip; over either limit Check returns
// *domain.RateLimitedError before any hashing, so a throttled attacker costs us little.
//
// method says which kind of login this is, for the audit record of a failure.
func (v *Verifier) Check(ctx context.Context, username, password, ip string, method domain.AuthMethod) (domain.User, error) {
	if err := loginWait(ctx, v.limiter, v.throttle, username, ip); err != nil {
		var limited *domain.RateLimitedError
		if errors.As(err, &limited) {
			v.audit.Audit(ctx, domain.Audit{Event: domain.AuditLoginThrottled, Method: method})
		}
		return domain.User{}, err
	}
	user, err := v.check(ctx, username, password, method)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		v.audit.Audit(ctx, domain.Audit{Event: domain.AuditLoginFailed, UserID: user.ID, Method: method})
		if terr := loginFailed(ctx, v.limiter, v.throttle, username, ip); terr != nil {
			return domain.User{}, terr
		}
		return domain.User{}, err
	}
	return user, err
}

func (v *Verifier) check(ctx context.Context, username, password string, method domain.AuthMethod) (domain.User, error) {
	if len(password) > domain.MaxPasswordBytes {
		// No stored password is this long, and hashing it would only cost us time.
		return domain.User{}, domain.ErrInvalidCredentials
	}
	user, err := v.lookup(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		dummy, err := v.dummyHash(ctx)
		if err != nil {
			return domain.User{}, err
		}
		if _, _, err := v.hasher.Verify(ctx, password, dummy); err != nil {
			return domain.User{}, err
		}
		return domain.User{}, domain.ErrInvalidCredentials
	}
	if err != nil {
		return domain.User{}, err
	}
	ok, rehash, err := v.hasher.Verify(ctx, password, user.PasswordHash)
	if err != nil {
		return domain.User{}, err
	}
	if !ok || !user.IsActive {
		// The id goes to the audit record only; Check returns no user on failure.
		return domain.User{ID: user.ID}, domain.ErrInvalidCredentials
	}
	if rehash {
		// Best effort: a failed upgrade is retried at the next login, and must not fail this
		// one. The compare-and-set loses to a password change made since the check.
		if hash, err := v.hasher.Hash(ctx, password); err == nil {
			if v.users.SetPasswordHash(ctx, user.ID, user.PasswordHash, hash) == nil {
				user.PasswordHash = hash
				v.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasswordRehashed, UserID: user.ID, Method: method})
			}
		}
	}
	return user, nil
}

// dummyHash returns the hash verified for unknown users, made with the configured parameters
// on first use (so start-up does not pay for it) and made again if that first try failed.
func (v *Verifier) dummyHash(ctx context.Context) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dummy == "" {
		h, err := v.hasher.Hash(ctx, "gatehouse timing equaliser")
		if err != nil {
			return "", err
		}
		v.dummy = h
	}
	return v.dummy, nil
}

func (v *Verifier) lookup(ctx context.Context, username string) (domain.User, error) {
	name, err := domain.NormalizeUsername(username)
	if err != nil {
		return domain.User{}, domain.ErrNotFound
	}
	return v.users.UserByUsername(ctx, name)
}
