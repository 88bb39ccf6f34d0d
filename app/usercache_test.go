package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// countingUsers counts UserByID calls, and fails them while down is set.
type countingUsers struct {
	ports.UserStore
	byID atomic.Int64
	down atomic.Bool
}

func (c *countingUsers) UserByID(ctx context.Context, id domain.UserID) (domain.User, error) {
	c.byID.Add(1)
	if c.down.Load() {
		return domain.User{}, fmt.Errorf("users down: %w", domain.ErrUnavailable)
	}
	return c.UserStore.UserByID(ctx, id)
}

// cachedChain is the default chain over counting users with a one-second user cache.
func cachedChain(e *env) (*app.Chain, *countingUsers) {
	users := &countingUsers{UserStore: e.users}
	settings := e.settings
	settings.UserCacheTTL = time.Second
	return app.NewChain(defaultOrder, users, e.sessions, e.tokens, e.verifier, e.cache, e.clock, settings, e.mfa), users
}

func TestUserCacheSparesTheUserReadWithinTheTTL(t *testing.T) {
	for _, tc := range []struct {
		name  string
		creds func(e *env) domain.RequestCredentials
	}{
		{"token", func(e *env) domain.RequestCredentials { return tokenCreds(e.obtainToken("alice", password).Secret) }},
		{"session", func(e *env) domain.RequestCredentials {
			return sessionCreds(http.MethodGet, e.login("alice", password).Secret, "")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.signUp("alice")
			creds := tc.creds(e)
			chain, users := cachedChain(e)
			for range 5 {
				if _, err := chain.Authenticate(t.Context(), creds); err != nil {
					t.Fatal(err)
				}
			}
			if n := users.byID.Load(); n != 1 {
				t.Errorf("5 requests within the TTL read the user %d times, want 1", n)
			}
			e.clock.Advance(time.Second)
			if _, err := chain.Authenticate(t.Context(), creds); err != nil {
				t.Fatal(err)
			}
			if n := users.byID.Load(); n != 2 {
				t.Errorf("a request after the TTL: %d user reads in all, want 2", n)
			}
		})
	}
}

// The cache holds users, never credentials: a credential revoked in the store (by another
// instance, here straight in the store) is refused at once although its user is cached.
func TestUserCacheRefusesARevokedCredentialAtOnce(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("alice")
	tok := e.obtainToken("alice", password)
	sess := e.login("alice", password)
	chain, _ := cachedChain(e)
	for _, creds := range []domain.RequestCredentials{tokenCreds(tok.Secret), sessionCreds(http.MethodGet, sess.Secret, "")} {
		if _, err := chain.Authenticate(t.Context(), creds); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.tokens.DeleteUserTokens(t.Context(), u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sessions.DeleteUserSessions(t.Context(), u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := chain.Authenticate(t.Context(), tokenCreds(tok.Secret)); !errors.Is(err, domain.ErrInvalidToken) {
		t.Errorf("revoked token with its user cached: %v, want ErrInvalidToken", err)
	}
	res, err := chain.Authenticate(t.Context(), sessionCreds(http.MethodGet, sess.Secret, ""))
	if !errors.Is(err, domain.ErrNotAuthenticated) || !res.ClearSessionCookie {
		t.Errorf("revoked session with its user cached: %v (clear cookie %v), want ErrNotAuthenticated and a cleared cookie", err, res.ClearSessionCookie)
	}
}

// A password change made on another instance (another Accounts over the same stores) ends
// every other credential here at once, although this instance still caches the user.
func TestUserCacheHonoursAPasswordChangeElsewhere(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	kept := e.obtainToken("alice", password)
	other := e.obtainToken("alice", password)
	chain, _ := cachedChain(e)
	for _, s := range []string{kept.Secret, other.Secret} {
		if _, err := chain.Authenticate(t.Context(), tokenCreds(s)); err != nil {
			t.Fatal(err)
		}
	}
	p := e.principal(tokenCreds(kept.Secret))
	if _, err := e.accounts.ChangePassword(t.Context(), p, ports.PasswordChange{Old: password, New: newPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := chain.Authenticate(t.Context(), tokenCreds(other.Secret)); !errors.Is(err, domain.ErrInvalidToken) {
		t.Errorf("other token after a password change: %v, want ErrInvalidToken", err)
	}
	if _, err := chain.Authenticate(t.Context(), tokenCreds(kept.Secret)); err != nil {
		t.Errorf("the changing token: %v, want it kept", err)
	}
}

// A failed user read is returned and not remembered: the next request asks the store again.
func TestUserCacheKeepsNoErrors(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	tok := e.obtainToken("alice", password)
	chain, users := cachedChain(e)
	users.down.Store(true)
	if _, err := chain.Authenticate(t.Context(), tokenCreds(tok.Secret)); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("users down: %v, want ErrUnavailable", err)
	}
	users.down.Store(false)
	if _, err := chain.Authenticate(t.Context(), tokenCreds(tok.Secret)); err != nil {
		t.Errorf("users back: %v", err)
	}
	if n := users.byID.Load(); n != 2 {
		t.Errorf("%d user reads, want 2 (the failure not cached)", n)
	}
}

// Deactivation without revocation breaks the invariant UserCache relies on; even then the
// stale copy lasts no longer than the TTL.
func TestUserCacheBoundsAStaleUserByTheTTL(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("alice")
	tok := e.obtainToken("alice", password)
	users := deactivating{UserStore: e.users, off: map[domain.UserID]bool{}}
	settings := e.settings
	settings.UserCacheTTL = time.Second
	chain := app.NewChain(defaultOrder, users, e.sessions, e.tokens, e.verifier, e.cache, e.clock, settings, e.mfa)
	if _, err := chain.Authenticate(t.Context(), tokenCreds(tok.Secret)); err != nil {
		t.Fatal(err)
	}
	users.off[u.ID] = true
	e.clock.Advance(time.Second)
	if _, err := chain.Authenticate(t.Context(), tokenCreds(tok.Secret)); !errors.Is(err, domain.ErrInactiveUser) {
		t.Errorf("inactive user after the TTL: %v, want ErrInactiveUser", err)
	}
}
