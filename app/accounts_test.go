package app_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// holder is a user with two sessions and two tokens. The first of each is the one a
// principal of that kind authenticates with.
type holder struct {
	user     domain.User
	sessions [2]domain.IssuedSession
	tokens   [2]domain.IssuedToken
}

func (e *env) holder(username string) holder {
	e.t.Helper()
	h := holder{user: e.signUp(username)}
	for i := range 2 {
		h.sessions[i] = e.login(username, password)
		h.tokens[i] = e.obtainToken(username, password)
	}
	return h
}

// principalKinds build a principal of each method through the chain, as the HTTP adapter does.
var principalKinds = []struct {
	method    domain.AuthMethod
	principal func(e *env, h holder) domain.Principal
}{
	{domain.MethodSession, func(e *env, h holder) domain.Principal {
		return e.principal(sessionCreds(http.MethodPost, h.sessions[0].Secret, h.sessions[0].CSRFToken))
	}},
	{domain.MethodToken, func(e *env, h holder) domain.Principal {
		return e.principal(tokenCreds(h.tokens[0].Secret))
	}},
	{domain.MethodBasic, func(e *env, h holder) domain.Principal {
		return e.principal(basicCreds(h.user.Username, password))
	}},
}

// live reports which of h's credentials are still live: sessions then tokens.
func (e *env) live(h holder) [4]bool {
	return [4]bool{
		e.sessionLive(h.sessions[0].Secret), e.sessionLive(h.sessions[1].Secret),
		e.tokenLive(h.tokens[0].Secret), e.tokenLive(h.tokens[1].Secret),
	}
}

func TestLogoutRevokesTheAuthenticatingCredential(t *testing.T) {
	t.Parallel()
	want := map[domain.AuthMethod][4]bool{
		domain.MethodSession: {false, true, true, true},
		domain.MethodToken:   {true, true, false, true},
		domain.MethodBasic:   {true, true, true, true}, // nothing to revoke
	}
	for _, kind := range principalKinds {
		t.Run(string(kind.method), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice, bob := e.holder("alice"), e.holder("bob")
			p := kind.principal(e, alice)
			if err := e.accounts.Logout(t.Context(), p); err != nil {
				t.Fatalf("Logout: %v", err)
			}
			if got := e.live(alice); got != want[kind.method] {
				t.Errorf("alice's sessions, tokens live = %v, want %v", got, want[kind.method])
			}
			if got := e.live(bob); got != [4]bool{true, true, true, true} {
				t.Errorf("bob's sessions, tokens live = %v, want all", got)
			}
		})
	}
}

func TestLogoutIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, kind := range principalKinds {
		t.Run(string(kind.method), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			p := kind.principal(e, e.holder("alice"))
			for i := range 2 {
				if err := e.accounts.Logout(t.Context(), p); err != nil {
					t.Fatalf("Logout #%d: %v, want nil", i+1, err)
				}
			}
		})
	}
}

func TestLogoutAllRevokesEveryCredentialOfTheUser(t *testing.T) {
	t.Parallel()
	for _, kind := range principalKinds {
		t.Run(string(kind.method), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice, bob := e.holder("alice"), e.holder("bob")
			if err := e.accounts.LogoutAll(t.Context(), kind.principal(e, alice)); err != nil {
				t.Fatalf("LogoutAll: %v", err)
			}
			if got := e.live(alice); got != [4]bool{} {
				t.Errorf("alice's sessions, tokens live = %v, want none", got)
			}
			if got := e.live(bob); got != [4]bool{true, true, true, true} {
				t.Errorf("bob's sessions, tokens live = %v, want all", got)
			}
		})
	}
}

func TestListTokensListsOwnLiveTokensNewestFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("alice")
	e.signUp("bob")
	first := e.obtainToken("alice", password)
	e.clock.Advance(time.Minute)
	second := e.obtainToken("alice", password)
	e.clock.Advance(time.Minute)
	third := e.obtainToken("alice", password)
	e.obtainToken("bob", password)
	p := e.principal(tokenCreds(first.Secret))
	if err := e.accounts.RevokeToken(t.Context(), p, second.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	list, err := e.accounts.ListTokens(t.Context(), p)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if got, want := tokenIDs(list), []string{third.ID, first.ID}; !slices.Equal(got, want) {
		t.Fatalf("ListTokens = %v, want %v", got, want)
	}
	if !list[0].CreatedAt.Equal(third.CreatedAt) || list[0].Name != third.Name || !list[0].ExpiresAt.Equal(third.ExpiresAt) ||
		!list[1].LastUsedAt.Equal(e.clock.Now()) {
		t.Errorf("ListTokens = %+v, want the stored fields (first used now)", list)
	}
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      func(t *testing.T, e *env, alice, bob holder) string
		wantErr error
		gone    bool // the token with that id ends up revoked
	}{
		{"own token", func(_ *testing.T, _ *env, alice, _ holder) string { return alice.tokens[1].ID }, nil, true},
		{"own current token", func(_ *testing.T, _ *env, alice, _ holder) string { return alice.tokens[0].ID }, nil, true},
		{"other user's token", func(_ *testing.T, _ *env, _, bob holder) string { return bob.tokens[0].ID }, domain.ErrNotFound, false},
		{"own session id", func(_ *testing.T, _ *env, alice, _ holder) string { return alice.sessions[0].ID }, domain.ErrNotFound, false},
		{"unknown id", func(*testing.T, *env, holder, holder) string { return strings.Repeat("0", 32) }, domain.ErrNotFound, false},
		{"invalid id", func(*testing.T, *env, holder, holder) string { return "not-an-id" }, domain.ErrNotFound, false},
		{"empty id", func(*testing.T, *env, holder, holder) string { return "" }, domain.ErrNotFound, false},
		{"upper-case id", func(_ *testing.T, _ *env, alice, _ holder) string {
			return strings.ToUpper(alice.tokens[1].ID)
		}, domain.ErrNotFound, false},
		{"already revoked", func(t *testing.T, e *env, alice, _ holder) string {
			p := e.principal(tokenCreds(alice.tokens[0].Secret))
			if err := e.accounts.RevokeToken(t.Context(), p, alice.tokens[1].ID); err != nil {
				t.Fatalf("first RevokeToken: %v", err)
			}
			return alice.tokens[1].ID
		}, domain.ErrNotFound, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice, bob := e.holder("alice"), e.holder("bob")
			p := e.principal(tokenCreds(alice.tokens[0].Secret))
			id := tt.id(t, e, alice, bob)
			err := e.accounts.RevokeToken(t.Context(), p, id)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("RevokeToken(%q): %v, want %v", id, err, tt.wantErr)
			}
			for _, tok := range append(alice.tokens[:], bob.tokens[:]...) {
				wantLive := tok.ID != id || !tt.gone
				if got := e.tokenLive(tok.Secret); got != wantLive {
					t.Errorf("token %s live = %v, want %v", tok.ID, got, wantLive)
				}
			}
			if got := e.live(bob); got != [4]bool{true, true, true, true} {
				t.Errorf("bob's sessions, tokens live = %v, want all", got)
			}
		})
	}
}

func TestListSessionsListsOwnLiveSessionsNewestFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("alice")
	e.signUp("bob")
	login := func(username, ip, ua string) domain.IssuedSession {
		_, s, err := e.accounts.Login(t.Context(), ports.Login{Username: username, Password: password, IP: ip, UserAgent: ua})
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		return s
	}
	first := login("alice", "192.0.2.1", "curl/8.0")
	e.clock.Advance(time.Minute)
	second := login("alice", "2001:db8::1", "Firefox")
	e.clock.Advance(time.Minute)
	third := login("alice", "198.51.100.9", "Safari")
	login("bob", "192.0.2.2", "Chrome")
	p := e.principal(sessionCreds(http.MethodGet, first.Secret, ""))
	if err := e.accounts.RevokeSession(t.Context(), p, second.ID); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	list, err := e.accounts.ListSessions(t.Context(), p)
	if err != nil {
		t.Fatalf("ListSessions: %v", err)
	}
	if got, want := sessionIDs(list), []string{third.ID, first.ID}; !slices.Equal(got, want) {
		t.Fatalf("ListSessions = %v, want %v", got, want)
	}
	if list[0].IP != "198.51.100.9" || list[0].UserAgent != "Safari" || list[1].IP != "192.0.2.1" ||
		list[1].UserAgent != "curl/8.0" || !list[0].CreatedAt.Equal(third.CreatedAt) || !list[1].LastSeenAt.Equal(e.clock.Now()) {
		t.Errorf("ListSessions = %+v, want the recorded IPs, user agents and times", list)
	}
}

func TestRevokeSession(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id      func(alice, bob holder) string
		wantErr error
	}{
		{"own session", func(alice, _ holder) string { return alice.sessions[1].ID }, nil},
		{"own current session", func(alice, _ holder) string { return alice.sessions[0].ID }, nil},
		{"other user's session", func(_, bob holder) string { return bob.sessions[0].ID }, domain.ErrNotFound},
		{"own token id", func(alice, _ holder) string { return alice.tokens[0].ID }, domain.ErrNotFound},
		{"unknown id", func(holder, holder) string { return strings.Repeat("f", 32) }, domain.ErrNotFound},
		{"invalid id", func(holder, holder) string { return "../../etc/passwd" }, domain.ErrNotFound},
		{"empty id", func(holder, holder) string { return "" }, domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice, bob := e.holder("alice"), e.holder("bob")
			p := e.principal(sessionCreds(http.MethodDelete, alice.sessions[0].Secret, alice.sessions[0].CSRFToken))
			id := tt.id(alice, bob)
			err := e.accounts.RevokeSession(t.Context(), p, id)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("RevokeSession(%q): %v, want %v", id, err, tt.wantErr)
			}
			for _, s := range append(alice.sessions[:], bob.sessions[:]...) {
				wantLive := s.ID != id || tt.wantErr != nil
				if got := e.sessionLive(s.Secret); got != wantLive {
					t.Errorf("session %s live = %v, want %v", s.ID, got, wantLive)
				}
			}
			if err == nil {
				if err := e.accounts.RevokeSession(t.Context(), p, id); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("second RevokeSession(%q): %v, want ErrNotFound", id, err)
				}
			}
		})
	}
}

func TestChangePasswordRevokesOtherCredentials(t *testing.T) {
	t.Parallel()
	want := map[domain.AuthMethod][4]bool{
		domain.MethodSession: {false, false, false, false}, // the caller's session is replaced
		domain.MethodToken:   {false, false, true, false},
		domain.MethodBasic:   {false, false, false, false},
	}
	for _, kind := range principalKinds {
		t.Run(string(kind.method), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice, bob := e.holder("alice"), e.holder("bob")
			p := kind.principal(e, alice)
			rotated, err := e.accounts.ChangePassword(t.Context(), p, ports.PasswordChange{Old: password, New: newPassword})
			if err != nil {
				t.Fatalf("ChangePassword: %v", err)
			}
			if (rotated != nil) != (kind.method == domain.MethodSession) {
				t.Errorf("ChangePassword returned session %v for a %s caller; want one for session callers only", rotated, kind.method)
			}
			if rotated != nil {
				if !e.sessionLive(rotated.Secret) || rotated.ID == p.Session.ID {
					t.Errorf("the replacement session is not live or kept the old id")
				}
				if rotated.IP != p.Session.IP || rotated.UserAgent != p.Session.UserAgent {
					t.Errorf("the replacement session lost the client's IP or User-Agent")
				}
			}
			if got := e.live(alice); got != want[kind.method] {
				t.Errorf("alice's sessions, tokens live = %v, want %v", got, want[kind.method])
			}
			if got := e.live(bob); got != [4]bool{true, true, true, true} {
				t.Errorf("bob's sessions, tokens live = %v, want all", got)
			}
			if _, _, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: password}); !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Errorf("Login with the old password: %v, want ErrInvalidCredentials", err)
			}
			if _, _, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: newPassword}); err != nil {
				t.Errorf("Login with the new password: %v", err)
			}
			if _, _, err := e.accounts.Login(t.Context(), ports.Login{Username: "bob", Password: password}); err != nil {
				t.Errorf("bob's login: %v", err)
			}
		})
	}
}

func TestChangePasswordRejectsWrongOldPassword(t *testing.T) {
	t.Parallel()
	for _, old := range []string{"wrong-Password-000", "", newPassword, strings.Repeat("a", domain.MaxPasswordBytes+1)} {
		t.Run(shortName(old), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.holder("alice")
			before := e.passwordHash(alice.user.ID)
			p := e.principal(tokenCreds(alice.tokens[0].Secret))
			_, err := e.accounts.ChangePassword(t.Context(), p, ports.PasswordChange{Old: old, New: newPassword})
			onlyField(t, err, "old_password")
			assertUnchanged(t, e, alice, before)
		})
	}
}

func TestChangePasswordRejectsWeakNewPassword(t *testing.T) {
	t.Parallel()
	for _, weak := range []string{"", "short", "12345678901", "password", "alice1234", strings.Repeat("a", domain.MaxPasswordBytes+1)} {
		t.Run(shortName(weak), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.holder("alice")
			before := e.passwordHash(alice.user.ID)
			p := e.principal(sessionCreds(http.MethodPost, alice.sessions[0].Secret, alice.sessions[0].CSRFToken))
			_, err := e.accounts.ChangePassword(t.Context(), p, ports.PasswordChange{Old: password, New: weak})
			onlyField(t, err, "new_password")
			assertUnchanged(t, e, alice, before)
		})
	}
}

func assertUnchanged(t *testing.T, e *env, h holder, hash string) {
	t.Helper()
	if got := e.passwordHash(h.user.ID); got != hash {
		t.Error("the password hash changed")
	}
	if got := e.live(h); got != [4]bool{true, true, true, true} {
		t.Errorf("sessions, tokens live = %v, want all", got)
	}
}

func shortName(s string) string {
	switch {
	case s == "":
		return "empty"
	case len(s) > 20:
		return s[:10] + "..."
	}
	return s
}
