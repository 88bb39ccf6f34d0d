package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// changeAfter wraps the token and session stores so that a password change lands right after
// a credential is stored: between a login's password check and its end.
type changeAfter struct {
	ports.TokenStore
	ports.SessionStore
	change func()
}

func (c changeAfter) CreateToken(ctx context.Context, t domain.Token) error {
	defer c.change()
	return c.TokenStore.CreateToken(ctx, t)
}

func (c changeAfter) CreateSession(ctx context.Context, s domain.Session) error {
	defer c.change()
	return c.SessionStore.CreateSession(ctx, s)
}

// TestLoginRacingAPasswordChangeLeavesNoCredential: a token or session whose login checked
// the old password must not outlive a password change that lands before the login ends.
func TestLoginRacingAPasswordChangeLeavesNoCredential(t *testing.T) {
	for _, kind := range []string{"token", "session"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t)
			u := e.signUp("racer")
			stores := changeAfter{TokenStore: e.tokens, SessionStore: e.sessions, change: func() {
				if err := e.users.SetPasswordHash(t.Context(), u.ID, e.passwordHash(u.ID), "changed elsewhere"); err != nil {
					t.Errorf("SetPasswordHash: %v", err)
				}
			}}
			racingLogin(t, e, stores, stores, kind, u.ID, "a password change")
		})
	}
}

// racingLogin logs "racer" in for a token or a session (kind) through credential stores
// that let a change happen mid-login, and fails t unless the login is refused and leaves no
// credential of user behind.
func racingLogin(t *testing.T, e *env, tokens ports.TokenStore, sessions ports.SessionStore, kind string, user domain.UserID, change string) {
	t.Helper()
	accounts := app.NewAccounts(e.users, sessions, tokens, e.port, e.verifier, e.clock, e.random, e.settings, e.limiter, app.Throttle{}, e.audit, e.cache, e.codes, e.mailer, e.mfa)
	in := ports.Login{Username: "racer", Password: password}
	var err error
	if kind == "token" {
		_, err = accounts.ObtainToken(t.Context(), in)
	} else {
		_, _, err = accounts.Login(t.Context(), in)
	}
	if !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Errorf("login racing %s: err = %v, want ErrInvalidCredentials", change, err)
	}
	if list, _ := e.tokens.TokensByUser(t.Context(), user); len(list) != 0 {
		t.Errorf("%d tokens survive %s", len(list), change)
	}
	if list, _ := e.sessions.SessionsByUser(t.Context(), user); len(list) != 0 {
		t.Errorf("%d sessions survive %s", len(list), change)
	}
}

// changeBeforeUpgrade lands a password change just before a hash upgrade is written.
type changeBeforeUpgrade struct {
	ports.UserStore
	changed string
}

func (s changeBeforeUpgrade) SetPasswordHash(ctx context.Context, id domain.UserID, old, hash string) error {
	if err := s.UserStore.SetPasswordHash(ctx, id, old, s.changed); err != nil {
		return err
	}
	return s.UserStore.SetPasswordHash(ctx, id, old, hash)
}

// TestHashUpgradeDoesNotUndoAPasswordChange: the upgrade of an outdated hash, written after a
// successful check, loses to a password change that landed in between.
func TestHashUpgradeDoesNotUndoAPasswordChange(t *testing.T) {
	e := newEnv(t)
	weaker := testParams
	weaker.Time++
	u := e.createUser("upgrader", newHasher(t, weaker), true)
	users := changeBeforeUpgrade{UserStore: e.users, changed: "changed elsewhere"}
	if _, err := app.NewVerifier(users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{}, nil, nil).Check(t.Context(), "upgrader", password, "192.0.2.1", domain.MethodToken); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if got := e.passwordHash(u.ID); got != "changed elsewhere" {
		t.Errorf("stored hash = %q, want the password change's hash kept", got)
	}
}
