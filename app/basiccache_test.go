package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// cachedEnv is an env whose chain caches Basic credentials for ttl, counting hashes.
func cachedEnv(t *testing.T, ttl time.Duration) (*env, *app.Chain, *app.Accounts, *recordingHasher) {
	e := newEnv(t)
	cache, err := app.NewBasicCache(app.Settings{BasicCacheTTL: ttl}, e.random, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	h := &recordingHasher{PasswordHasher: e.port}
	v := app.NewVerifier(e.users, h, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{}, nil, nil)
	chain := app.NewChain(defaultOrder, e.users, e.sessions, e.tokens, v, cache, e.clock, e.settings, e.mfa)
	accounts := app.NewAccounts(e.users, e.sessions, e.tokens, h, v, e.clock, e.random, e.settings, e.limiter, app.Throttle{}, e.audit, cache, e.codes, e.mailer, e.mfa)
	return e, chain, accounts, h
}

func TestBasicCacheSkipsTheHashForRecentCredentials(t *testing.T) {
	e, chain, _, h := cachedEnv(t, time.Minute)
	e.signUp("basic")
	for range 5 {
		if _, err := chain.Authenticate(t.Context(), basicCreds("basic", password)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.verified); n != 1 {
		t.Errorf("%d hash verifications for 5 requests, want 1", n)
	}
	if _, err := chain.Authenticate(t.Context(), basicCreds("basic", "wrong-Password-5")); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Errorf("a wrong password with a cached right one: %v", err)
	}
	e.clock.Advance(time.Minute)
	before := len(h.verified)
	if _, err := chain.Authenticate(t.Context(), basicCreds("basic", password)); err != nil {
		t.Fatal(err)
	}
	if len(h.verified) != before+1 {
		t.Error("an expired entry was used")
	}
}

func TestBasicCacheEntriesEnd(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(t *testing.T, e *env, a *app.Accounts, p domain.Principal)
	}{
		{"on a password change", func(t *testing.T, e *env, a *app.Accounts, p domain.Principal) {
			if _, err := a.ChangePassword(t.Context(), p, ports.PasswordChange{Old: password, New: newPassword}); err != nil {
				t.Fatal(err)
			}
		}},
		{"on a password change made elsewhere", func(t *testing.T, e *env, _ *app.Accounts, p domain.Principal) {
			if err := e.users.SetPasswordHash(t.Context(), p.User.ID, e.passwordHash(p.User.ID), "changed by another instance"); err != nil {
				t.Fatal(err)
			}
		}},
		{"on logout-all", func(t *testing.T, e *env, a *app.Accounts, p domain.Principal) {
			if err := a.LogoutAll(t.Context(), p); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, chain, accounts, h := cachedEnv(t, time.Hour)
			e.signUp("basic")
			res, err := chain.Authenticate(t.Context(), basicCreds("basic", password))
			if err != nil {
				t.Fatal(err)
			}
			tt.end(t, e, accounts, res.Principal)
			before := len(h.verified)
			_, _ = chain.Authenticate(t.Context(), basicCreds("basic", password))
			if len(h.verified) == before {
				t.Error("the cached entry answered after it should have ended")
			}
		})
	}
}

// deactivating wraps a user store so a test can deactivate users, as an admin would.
type deactivating struct {
	ports.UserStore
	off map[domain.UserID]bool
}

func (d deactivating) UserByID(ctx context.Context, id domain.UserID) (domain.User, error) {
	u, err := d.UserStore.UserByID(ctx, id)
	u.IsActive = u.IsActive && !d.off[id]
	return u, err
}

func (d deactivating) UserByUsername(ctx context.Context, name string) (domain.User, error) {
	u, err := d.UserStore.UserByUsername(ctx, name)
	u.IsActive = u.IsActive && !d.off[u.ID]
	return u, err
}

func TestBasicCacheRefusesADeactivatedUser(t *testing.T) {
	e := newEnv(t)
	users := deactivating{UserStore: e.users, off: map[domain.UserID]bool{}}
	cache, err := app.NewBasicCache(app.Settings{BasicCacheTTL: time.Hour}, e.random, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	v := app.NewVerifier(users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{}, nil, nil)
	chain := app.NewChain(defaultOrder, users, e.sessions, e.tokens, v, cache, e.clock, e.settings, e.mfa)
	u := e.signUp("inactive-later")
	if _, err := chain.Authenticate(t.Context(), basicCreds("inactive-later", password)); err != nil {
		t.Fatal(err)
	}
	users.off[u.ID] = true
	if _, err := chain.Authenticate(t.Context(), basicCreds("inactive-later", password)); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Errorf("a deactivated user with a cached password: %v, want ErrInvalidCredentials", err)
	}
}
