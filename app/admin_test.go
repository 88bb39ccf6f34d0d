package app_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

func (e *env) admin() *app.Admin {
	return app.NewAdmin(e.users, e.sessions, e.tokens, e.codes, e.port, e.clock, e.random, e.settings, e.audit, e.mfa)
}

func TestAdminCreateUser(t *testing.T) {
	tests := []struct {
		name    string
		in      ports.NewUser
		wantErr error  // a sentinel, or nil
		field   string // the only field of a validation error
	}{
		{name: "valid", in: ports.NewUser{Username: "alice", Email: "alice@EXAMPLE.com", Password: password}},
		{name: "taken in another case", in: ports.NewUser{Username: "ALICE", Password: password}, wantErr: domain.ErrUsernameTaken},
		{name: "common password", in: ports.NewUser{Username: "bob", Password: "password123"}, field: "password"},
		{name: "bad username", in: ports.NewUser{Username: "bob smith", Password: password}, field: "username"},
		{name: "bad email", in: ports.NewUser{Username: "bob", Email: "not-an-address", Password: password}, field: "email"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := e.audit.len()
			u, err := e.admin().CreateUser(t.Context(), tt.in)
			switch {
			case tt.field != "":
				onlyField(t, err, tt.field)
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("CreateUser = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("CreateUser = %v", err)
			default:
				if !u.IsActive || u.Email != "alice@example.com" {
					t.Errorf("user = %+v, want active with the domain lower-cased", u)
				}
				e.login("alice", password) // the password works
				if ev := e.audit.since(mark); len(ev) == 0 || ev[0].Event != domain.AuditUserCreated {
					t.Errorf("audit = %+v, want user_created first", ev)
				}
			}
		})
	}
}

func TestAdminSetPasswordRevokesEverything(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	e.signUp("bob")
	tok, sess := e.obtainToken("alice", password), e.login("alice", password)
	bobTok := e.obtainToken("bob", password)

	if err := e.admin().SetPassword(t.Context(), "alice", "password"); err == nil {
		t.Fatal("SetPassword accepted a common password")
	}
	if !e.tokenLive(tok.Secret) {
		t.Fatal("a refused password change revoked a token")
	}
	if err := e.admin().SetPassword(t.Context(), "Alice", newPassword); err != nil {
		t.Fatalf("SetPassword = %v", err)
	}
	if e.tokenLive(tok.Secret) || e.sessionLive(sess.Secret) {
		t.Error("alice's token or session survived the password change")
	}
	if !e.tokenLive(bobTok.Secret) {
		t.Error("bob's token was revoked by alice's password change")
	}
	if _, err := e.verifier.Check(t.Context(), "alice", password, "", domain.MethodBasic); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Errorf("old password: %v, want invalid credentials", err)
	}
	e.login("alice", newPassword)
	if err := e.admin().SetPassword(t.Context(), "nobody", newPassword); !errors.Is(err, domain.ErrNoSuchUser) {
		t.Errorf("SetPassword(unknown) = %v, want domain.ErrNoSuchUser", err)
	}
}

func TestAdminDeactivate(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	tok, sess := e.obtainToken("alice", password), e.login("alice", password)

	if err := e.admin().SetActive(t.Context(), "alice", false); err != nil {
		t.Fatalf("SetActive(false) = %v", err)
	}
	if e.tokenLive(tok.Secret) || e.sessionLive(sess.Secret) {
		t.Error("a deactivated user kept a token or session")
	}
	for name, creds := range map[string]domain.RequestCredentials{
		"token": tokenCreds(tok.Secret), "basic": basicCreds("alice", password),
	} {
		if _, err := e.auth(creds); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Errorf("%s after deactivation: %v, want invalid credentials", name, err)
		}
	}
	if _, err := e.admin().CreateToken(t.Context(), "alice", "ci"); !errors.Is(err, domain.ErrInactiveUser) {
		t.Errorf("CreateToken(inactive) = %v, want domain.ErrInactiveUser", err)
	}
	if err := e.admin().SetActive(t.Context(), "alice", true); err != nil {
		t.Fatalf("SetActive(true) = %v", err)
	}
	e.principal(basicCreds("alice", password))
	if err := e.admin().SetActive(t.Context(), "nobody", false); !errors.Is(err, domain.ErrNoSuchUser) {
		t.Errorf("SetActive(unknown) = %v, want domain.ErrNoSuchUser", err)
	}
}

func TestAdminTokensAndSessions(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	e.signUp("bob")
	bobTok := e.obtainToken("bob", password)
	it, err := e.admin().CreateToken(t.Context(), "alice", "  ci runner ")
	if err != nil {
		t.Fatalf("CreateToken = %v", err)
	}
	if p := e.principal(tokenCreds(it.Secret)); p.User.Username != "alice" || p.Token.Name != "ci runner" {
		t.Errorf("the new token authenticates %q with name %q", p.User.Username, p.Token.Name)
	}
	if want := e.clock.Now().Add(e.settings.TokenTTL); !it.Token.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want the configured lifetime, %v", it.Token.ExpiresAt, want)
	}
	for _, tt := range []struct {
		user, id string
		want     error
	}{
		{"bob", it.Token.ID, domain.ErrNoSuchToken},       // not bob's
		{"alice", bobTok.Token.ID, domain.ErrNoSuchToken}, // not alice's
		{"alice", "not-an-id", domain.ErrNoSuchToken},
		{"nobody", it.Token.ID, domain.ErrNoSuchUser},
		{"nobody", "not-an-id", domain.ErrNoSuchUser},
	} {
		if err := e.admin().RevokeToken(t.Context(), tt.user, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("RevokeToken(%q, %q) = %v, want %v", tt.user, tt.id, err, tt.want)
		}
	}
	if list, err := e.admin().ListTokens(t.Context(), "alice"); err != nil || len(list) != 1 || list[0].ID != it.Token.ID {
		t.Errorf("ListTokens(alice) = %v, %v; want the one token", list, err)
	}
	if err := e.admin().RevokeToken(t.Context(), "alice", it.Token.ID); err != nil {
		t.Fatalf("RevokeToken = %v", err)
	}
	if e.tokenLive(it.Secret) || !e.tokenLive(bobTok.Secret) {
		t.Error("RevokeToken revoked the wrong token")
	}

	s1, s2, bobSess := e.login("alice", password), e.login("alice", password), e.login("bob", password)
	keep := e.obtainToken("alice", password)
	listed, err := e.admin().ListSessions(t.Context(), "alice")
	if err != nil || len(listed) != 2 {
		t.Fatalf("ListSessions(alice) = %v, %v; want her two sessions", listed, err)
	}
	for _, ss := range listed {
		if ss.ID != s1.ID && ss.ID != s2.ID {
			t.Errorf("ListSessions(alice) lists session %s, not hers", ss.ID)
		}
	}
	if _, err := e.admin().ListSessions(t.Context(), "nobody"); !errors.Is(err, domain.ErrNoSuchUser) {
		t.Errorf("ListSessions(unknown) = %v, want domain.ErrNoSuchUser", err)
	}
	n, err := e.admin().RevokeSessions(t.Context(), "alice")
	if err != nil || n != 2 {
		t.Fatalf("RevokeSessions = %d, %v; want 2, nil", n, err)
	}
	if e.sessionLive(s1.Secret) || e.sessionLive(s2.Secret) || !e.sessionLive(bobSess.Secret) || !e.tokenLive(keep.Secret) {
		t.Error("RevokeSessions must end alice's sessions only, and keep her tokens")
	}
}

func TestAdminListUsers(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"alice", "bob", "carol"} {
		e.signUp(n)
	}
	page, err := e.admin().ListUsers(t.Context(), 0, 2)
	if err != nil || len(page) != 2 || page[0].Username != "alice" || page[1].Username != "bob" {
		t.Fatalf("first page = %v, %v", page, err)
	}
	page, err = e.admin().ListUsers(t.Context(), page[1].ID, 2)
	if err != nil || len(page) != 1 || page[0].Username != "carol" {
		t.Fatalf("second page = %v, %v", page, err)
	}
	if page, err = e.admin().ListUsers(t.Context(), 0, 0); err != nil || len(page) != 1 {
		t.Errorf("a limit below 1 gives one user, got %d, %v", len(page), err)
	}
}

func TestAdminVerifyEmail(t *testing.T) {
	tests := []struct {
		name     string
		username string
		wantErr  error
		verified bool
	}{
		{name: "unverified address", username: "alice", verified: true},
		{name: "in another case", username: "ALICE", verified: true},
		{name: "no address", username: "carol", wantErr: domain.ErrNoEmail},
		{name: "unknown user", username: "nobody", wantErr: domain.ErrNoSuchUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			alice := e.userWithEmail("alice", "alice@example.com")
			e.signUp("carol")
			mark := e.audit.len()
			err := e.admin().VerifyEmail(t.Context(), tt.username)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("VerifyEmail = %v, want %v", err, tt.wantErr)
			}
			u, _ := e.users.UserByID(t.Context(), alice.ID)
			if u.EmailVerified != tt.verified {
				t.Errorf("EmailVerified = %t, want %t", u.EmailVerified, tt.verified)
			}
			got := e.audit.since(mark)
			if wantAudit := tt.wantErr == nil; (len(got) == 1 && got[0].Event == domain.AuditEmailVerified && got[0].UserID == alice.ID) != wantAudit {
				t.Errorf("audit = %+v, want one %s of alice: %t", got, domain.AuditEmailVerified, wantAudit)
			}
		})
	}
}

// TestOperatorChangesVoidMailedLinks: a reset or email change link mailed before an
// operator sets the password or the address no longer works, as after the user's own
// change; a deletion leaves none of the user's links stored.
func TestOperatorChangesVoidMailedLinks(t *testing.T) {
	tests := []struct {
		name string
		act  func(e *env) error
	}{
		{"set password", func(e *env) error { return e.admin().SetPassword(e.t.Context(), "alice", newPassword) }},
		{"set email", func(e *env) error { return e.admin().SetEmail(e.t.Context(), "alice", "alice@example.net") }},
		{"delete", func(e *env) error { return e.admin().DeleteUser(e.t.Context(), "alice") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newResetEnv(t)
			alice := e.userWithEmail("alice", "alice@example.com")
			change := e.changeLink(alice, "alice@example.org")
			reset := e.requestReset("alice@example.com")[0]
			if err := tt.act(e); err != nil {
				t.Fatal(err)
			}
			if err := e.confirmReset(reset, "an0ther long passphrase"); err == nil {
				t.Error("the reset link mailed before still works")
			}
			if _, err := e.confirmChange(change); err == nil {
				t.Error("the email change link mailed before still works")
			}
			if n, err := e.codes.DeleteUserCodes(t.Context(), alice.ID, ""); err != nil || (tt.name == "delete" && n != 0) {
				t.Errorf("links left after %s: %d, %v", tt.name, n, err)
			}
		})
	}
}
