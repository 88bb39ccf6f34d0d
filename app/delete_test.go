package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TestDeleteAccountRemovesTheUserAndEveryCredential deletes alice through each kind of
// caller: her user and every session and token go, bob keeps his, none of her credentials
// authenticates any more, and her name can be signed up again.
func TestDeleteAccountRemovesTheUserAndEveryCredential(t *testing.T) {
	t.Parallel()
	for _, kind := range principalKinds {
		t.Run(string(kind.method), func(t *testing.T) {
			t.Parallel()
			settings := app.DefaultSettings()
			settings.UserCacheTTL = time.Hour // a cached owner must not keep a credential alive
			e := newEnvWith(t, settings)
			alice, bob := e.holder("alice"), e.holder("bob")
			p := kind.principal(e, alice)
			chain := e.chain(defaultOrder...)
			for _, tok := range alice.tokens { // warm the user cache with alice
				if _, err := chain.Authenticate(t.Context(), tokenCreds(tok.Secret)); err != nil {
					t.Fatal(err)
				}
			}
			mark := e.audit.len()
			if err := e.accounts.DeleteAccount(t.Context(), p, ports.AccountDeletion{Password: password, IP: "192.0.2.1"}); err != nil {
				t.Fatalf("DeleteAccount: %v", err)
			}
			if got := e.live(alice); got != [4]bool{} {
				t.Errorf("alice's sessions, tokens live = %v, want none", got)
			}
			if got := e.live(bob); got != [4]bool{true, true, true, true} {
				t.Errorf("bob's sessions, tokens live = %v, want all", got)
			}
			if _, err := e.users.UserByID(t.Context(), alice.user.ID); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("UserByID(alice) = %v, want ErrNotFound", err)
			}
			ev := e.audit.since(mark)
			if len(ev) == 0 || ev[len(ev)-1] != (domain.Audit{Event: domain.AuditUserDeleted, UserID: alice.user.ID, Method: kind.method}) {
				t.Errorf("audit = %+v, want user_deleted of alice by %s last", ev, kind.method)
			}
			refused := func(what string, creds domain.RequestCredentials) {
				t.Helper()
				if res, err := chain.Authenticate(t.Context(), creds); err == nil {
					t.Errorf("%s of the deleted user authenticates as %q", what, res.Principal.User.Username)
				}
			}
			check := func() {
				t.Helper()
				refused("session", sessionCreds(http.MethodGet, alice.sessions[1].Secret, ""))
				refused("token", tokenCreds(alice.tokens[1].Secret))
				refused("Basic", basicCreds("alice", password))
				if _, _, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: password}); !errors.Is(err, domain.ErrInvalidCredentials) {
					t.Errorf("Login of the deleted user: %v, want ErrInvalidCredentials", err)
				}
			}
			check()
			again, err := e.accounts.SignUp(t.Context(), ports.SignUp{Username: "Alice", Password: newPassword})
			if err != nil {
				t.Fatalf("SignUp of the deleted name: %v", err)
			}
			if again.ID == alice.user.ID {
				t.Errorf("the new alice got the deleted ID %d", again.ID)
			}
			check() // the old password and credentials stay dead under the new owner
			if _, err := chain.Authenticate(t.Context(), basicCreds("alice", newPassword)); err != nil {
				t.Errorf("the new alice cannot log in: %v", err)
			}
		})
	}
}

func TestDeleteAccountRejectsWrongPassword(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"wrong-Password-000", "", strings.Repeat("a", domain.MaxPasswordBytes+1)} {
		t.Run(shortName(pw), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.holder("alice")
			p := e.principal(tokenCreds(alice.tokens[0].Secret))
			err := e.accounts.DeleteAccount(t.Context(), p, ports.AccountDeletion{Password: pw})
			onlyField(t, err, "password")
			if _, err := e.users.UserByID(t.Context(), alice.user.ID); err != nil {
				t.Errorf("UserByID after a refused deletion: %v", err)
			}
			if got := e.live(alice); got != [4]bool{true, true, true, true} {
				t.Errorf("a refused deletion revoked credentials: live = %v", got)
			}
		})
	}
}

// TestWrongPasswordsForDeletionAreThrottled: the password of a deletion is a login attempt,
// limited and audited as one, so a stolen token can neither guess it nor delete the account.
func TestWrongPasswordsForDeletionAreThrottled(t *testing.T) {
	e := newEnv(t)
	alice := e.signUp("alice")
	_, a, h := throttled(e, app.DefaultThrottle())
	p := domain.Principal{User: alice, Method: domain.MethodToken, Token: &domain.Token{ID: "t1", UserID: alice.ID}}
	del := func(pw string) error {
		return a.DeleteAccount(t.Context(), p, ports.AccountDeletion{Password: pw, IP: "192.0.2.1"})
	}
	first := 0
	for i := range 12 {
		err := del(fmt.Sprintf("wrong-Password-%d", i))
		if isLimited(err) {
			first = i + 1
			break
		}
		onlyField(t, err, "password")
	}
	if first == 0 || first >= 12 {
		t.Fatalf("12 wrong passwords: first 429 at attempt %d, want one before the twelfth", first)
	}
	verified := len(h.verified)
	if err := del(password); !isLimited(err) {
		t.Errorf("right password after the guesses: %v, want 429", err)
	}
	if len(h.verified) != verified {
		t.Error("a throttled deletion ran a password hash")
	}
	counts := map[domain.AuditEvent]int{}
	for _, ev := range e.audit.since(0) {
		counts[ev.Event]++
	}
	if counts[domain.AuditReauthFailed] != first-1 || counts[domain.AuditReauthThrottled] != 2 || counts[domain.AuditUserDeleted] != 0 {
		t.Errorf("audit = %v, want %d reauth_failed, 2 reauth_throttled and no user_deleted", counts, first-1)
	}
	if _, err := e.users.UserByID(t.Context(), alice.ID); err != nil {
		t.Errorf("the user is gone: %v", err)
	}
}

// deleteAround wraps the token and session stores so that a deletion lands just before or
// just after a credential is stored: between a login's password check and its end.
type deleteAround struct {
	ports.TokenStore
	ports.SessionStore
	before bool
	del    func()
}

func (d deleteAround) CreateToken(ctx context.Context, t domain.Token) error {
	if d.before {
		d.del()
		return d.TokenStore.CreateToken(ctx, t)
	}
	defer d.del()
	return d.TokenStore.CreateToken(ctx, t)
}

func (d deleteAround) CreateSession(ctx context.Context, s domain.Session) error {
	if d.before {
		d.del()
		return d.SessionStore.CreateSession(ctx, s)
	}
	defer d.del()
	return d.SessionStore.CreateSession(ctx, s)
}

// TestLoginRacingADeletionLeavesNoCredential: a login that checked the password of a user
// deleted before its credential is stored withdraws the credential (it re-reads the user);
// one stored before the deletion is revoked by it. Either way nothing survives.
func TestLoginRacingADeletionLeavesNoCredential(t *testing.T) {
	for _, when := range []string{"before", "after"} {
		for _, kind := range []string{"token", "session"} {
			t.Run(kind+" stored "+when+" the deletion", func(t *testing.T) {
				e := newEnv(t)
				u := e.signUp("racer")
				stores := deleteAround{TokenStore: e.tokens, SessionStore: e.sessions, before: when == "after", del: func() {
					if err := e.admin().DeleteUser(t.Context(), "racer"); err != nil {
						t.Errorf("DeleteUser: %v", err)
					}
				}}
				racingLogin(t, e, stores, stores, kind, u.ID, "a deletion")
			})
		}
	}
}

// TestChangePasswordRacingADeletionLeavesNoSession: the session a password change starts for
// its caller comes after its last revocation; a deletion landing just before it must not
// leave that session behind.
func TestChangePasswordRacingADeletionLeavesNoSession(t *testing.T) {
	e := newEnv(t)
	alice := e.holder("alice")
	p := e.principal(sessionCreds(http.MethodPost, alice.sessions[0].Secret, alice.sessions[0].CSRFToken))
	stores := deleteAround{TokenStore: e.tokens, SessionStore: e.sessions, before: true, del: func() {
		if err := e.admin().DeleteUser(t.Context(), "alice"); err != nil {
			t.Errorf("DeleteUser: %v", err)
		}
	}}
	accounts := app.NewAccounts(e.users, stores, stores, e.port, e.verifier, e.clock, e.random, e.settings, e.limiter, app.Throttle{}, e.audit, e.cache, e.codes, e.mailer, e.mfa)
	if _, err := accounts.ChangePassword(t.Context(), p, ports.PasswordChange{Old: password, New: newPassword}); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Errorf("ChangePassword racing a deletion: %v, want ErrInvalidCredentials", err)
	}
	if list, _ := e.sessions.SessionsByUser(t.Context(), alice.user.ID); len(list) != 0 {
		t.Errorf("%d sessions survive the deletion", len(list))
	}
}

func TestAdminDeleteUser(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.holder("alice"), e.holder("bob")
	mark := e.audit.len()
	if err := e.admin().DeleteUser(t.Context(), "ALICE"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if got := e.live(alice); got != [4]bool{} {
		t.Errorf("alice's sessions, tokens live = %v, want none", got)
	}
	if got := e.live(bob); got != [4]bool{true, true, true, true} {
		t.Errorf("bob's sessions, tokens live = %v, want all", got)
	}
	if ev := e.audit.since(mark); len(ev) != 1 || ev[0] != (domain.Audit{Event: domain.AuditUserDeleted, UserID: alice.user.ID}) {
		t.Errorf("audit = %+v, want one user_deleted of alice by an operator", ev)
	}
	for _, name := range []string{"alice", "nobody"} {
		if err := e.admin().DeleteUser(t.Context(), name); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("DeleteUser(%q) = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := e.admin().CreateUser(t.Context(), ports.NewUser{Username: "alice", Password: newPassword}); err != nil {
		t.Errorf("CreateUser of the deleted name: %v", err)
	}
}
