package app_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// newResetEnv is an env whose reset requests are not padded, so the tests run fast.
func newResetEnv(t *testing.T) *env {
	s := app.DefaultSettings()
	s.ResetFloor = 0
	return newEnvWith(t, s)
}

// userWithEmail stores an active user with password and address email, and forgets the
// verification mail its signup sent.
func (e *env) userWithEmail(username, email string) domain.User {
	e.t.Helper()
	u, err := e.accounts.SignUp(e.t.Context(), ports.SignUp{Username: username, Password: password, Email: email})
	if err != nil {
		e.t.Fatalf("SignUp(%q): %v", username, err)
	}
	e.mailer.take() // the verification link
	return u
}

// requestReset asks for a reset link for email and returns the secrets of the links mailed.
func (e *env) requestReset(email string) []string {
	e.t.Helper()
	if err := e.accounts.RequestPasswordReset(e.t.Context(), ports.PasswordResetRequest{Email: email, IP: "203.0.113.7"}); err != nil {
		e.t.Fatalf("RequestPasswordReset(%q): %v", email, err)
	}
	var secrets []string
	for _, m := range e.mailer.take() {
		secret, ok := strings.CutPrefix(m.Link, "/password/reset#token=")
		if m.Kind != domain.MailPasswordReset || !ok || !domain.ValidResetSecret(secret) {
			e.t.Fatalf("mail = %+v, want a reset link with a gtr_ secret in the fragment", m)
		}
		secrets = append(secrets, secret)
	}
	return secrets
}

func (e *env) confirmReset(token, pw string) error {
	return e.accounts.ConfirmPasswordReset(e.t.Context(),
		ports.PasswordResetConfirm{Token: token, NewPassword: pw, IP: "198.51.100.4", UserAgent: "Firefox/140"})
}

// wantField fails unless err is a *domain.ValidationError on field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var verr *domain.ValidationError
	if !errors.As(err, &verr) || len(verr.Fields[field]) == 0 {
		t.Fatalf("err = %v, want a validation error on %q", err, field)
	}
}

func TestResetRequestAnswersAlikeForKnownAndUnknownTargets(t *testing.T) {
	tests := []struct {
		name  string
		in    ports.PasswordResetRequest
		mails int
	}{
		{"known address", ports.PasswordResetRequest{Email: "alice@example.com"}, 1},
		{"known address in another case", ports.PasswordResetRequest{Email: "ALICE@Example.COM"}, 1},
		{"unknown address", ports.PasswordResetRequest{Email: "nobody@example.com"}, 0},
		{"known username", ports.PasswordResetRequest{Username: "Alice"}, 1},
		{"unknown username", ports.PasswordResetRequest{Username: "nobody"}, 0},
		{"inactive account", ports.PasswordResetRequest{Email: "bob@example.com"}, 0},
		{"account without an address", ports.PasswordResetRequest{Username: "carol"}, 0},
		{"account without a usable password", ports.PasswordResetRequest{Email: "sso@example.com"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newResetEnv(t)
			e.userWithEmail("alice", "alice@example.com")
			bob := e.userWithEmail("bob", "bob@example.com")
			if err := e.users.SetActive(t.Context(), bob.ID, false); err != nil {
				t.Fatal(err)
			}
			e.signUp("carol")
			if _, err := e.users.CreateUser(t.Context(), domain.User{Username: "sso", Email: "sso@example.com",
				PasswordHash: domain.UnusablePasswordPrefix + "imported", IsActive: true}, domain.EmailShared); err != nil {
				t.Fatal(err)
			}
			mark := e.audit.len()
			if err := e.accounts.RequestPasswordReset(t.Context(), tt.in); err != nil {
				t.Fatalf("RequestPasswordReset = %v, want nil whether or not an account matches", err)
			}
			if got := len(e.mailer.take()); got != tt.mails {
				t.Errorf("%d mails sent, want %d", got, tt.mails)
			}
			if got := len(e.audit.since(mark)); got != tt.mails {
				t.Errorf("%d audit records, want %d (one per link sent)", got, tt.mails)
			}
		})
	}
}

func TestResetRequestReachesEveryAccountOfAnAddress(t *testing.T) {
	e := newResetEnv(t)
	alice := e.userWithEmail("alice", "family@example.com")
	// Signups refuse a taken address; an import (EmailShared) may share it, as Django users do.
	if _, err := e.users.CreateUser(t.Context(), domain.User{Username: "bob", Email: "Family@example.com",
		PasswordHash: alice.PasswordHash, IsActive: true}, domain.EmailShared); err != nil {
		t.Fatal(err)
	}
	e.userWithEmail("carol", "carol@example.com")
	if err := e.accounts.RequestPasswordReset(t.Context(), ports.PasswordResetRequest{Email: "family@example.com"}); err != nil {
		t.Fatal(err)
	}
	mails := e.mailer.take()
	if len(mails) != 2 || mails[0].Username != "alice" || mails[1].Username != "bob" || mails[0].Link == mails[1].Link {
		t.Fatalf("mails = %+v, want one each to alice and bob, with different links", mails)
	}
}

func TestResetRequestIsThrottledPerNetworkAndTarget(t *testing.T) {
	e := newResetEnv(t)
	e.userWithEmail("alice", "alice@example.com")
	_, a, _ := throttled(e, app.Throttle{ResetIP: domain.Rate{Events: 3, Per: time.Hour}, ResetTarget: domain.Rate{Events: 1, Per: time.Hour}})
	req := func(email, ip string) error {
		return a.RequestPasswordReset(t.Context(), ports.PasswordResetRequest{Email: email, IP: ip})
	}
	for _, email := range []string{"alice@example.com", "nobody@example.com"} {
		if err := req(email, "203.0.113.1"); err != nil {
			t.Fatal(err)
		}
		// Another network, the same target: limited, known or not.
		wantLimited(t, req(strings.ToUpper(email), "198.51.100.1"))
	}
	if err := req("x@example.com", "203.0.113.1"); err != nil {
		t.Fatal(err)
	}
	// The fourth request from the network, for a fresh target.
	wantLimited(t, req("y@example.com", "203.0.113.1"))
	if n := len(e.mailer.take()); n != 1 {
		t.Errorf("%d mails sent, want 1 (to alice, once)", n)
	}
}

func TestResetConfirmSetsThePasswordAndRevokesEverything(t *testing.T) {
	e := newResetEnv(t)
	alice := e.userWithEmail("alice", "alice@example.com")
	tok := e.obtainToken("alice", password)
	ses := e.login("alice", password)
	links := e.requestReset("alice@example.com")
	mark := e.audit.len()
	if err := e.confirmReset(links[0], newPassword); err != nil {
		t.Fatalf("ConfirmPasswordReset = %v", err)
	}
	if e.tokenLive(tok.Secret) || e.sessionLive(ses.Secret) {
		t.Error("a token or session made before the reset is still live")
	}
	if !e.verifies(newPassword, e.passwordHash(alice.ID)) {
		t.Error("the new password does not verify")
	}
	if recs := e.audit.since(mark); len(recs) != 1 || recs[0].Event != domain.AuditPasswordReset || recs[0].UserID != alice.ID {
		t.Errorf("audit = %+v, want one password_reset of alice", recs)
	}
	notice := e.mailer.take()
	if len(notice) != 1 || notice[0].Kind != domain.MailPasswordChanged || notice[0].To != "alice@example.com" ||
		notice[0].IP != "198.51.100.4" || notice[0].UserAgent != "Firefox/140" || notice[0].At.IsZero() {
		t.Errorf("mails = %+v, want one password-changed notice to alice with time, IP and browser", notice)
	}
	wantField(t, e.confirmReset(links[0], "another-Harbour-2231"), "token")
}

func TestResetLinkIsRefused(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(e *env, link string) string // returns the token to confirm with
	}{
		{"malformed", func(_ *env, link string) string { return link[:len(link)-1] + "x" }},
		{"of another kind", func(e *env, _ string) string { s, _ := e.draw(domain.SessionPrefix); return s }},
		{"unknown", func(e *env, _ string) string { s, _ := e.draw(domain.ResetPrefix); return s }},
		{"expired", func(e *env, link string) string { e.clock.Advance(30 * time.Minute); return link }},
		{"voided by a newer request", func(e *env, link string) string { e.requestReset("alice@example.com"); return link }},
		{"voided by a login", func(e *env, link string) string { e.login("alice", password); return link }},
		{"voided by a token login", func(e *env, link string) string { e.obtainToken("alice", password); return link }},
		{"voided by a password change", func(e *env, link string) string {
			p := e.principal(tokenCreds(e.obtainToken("alice", password).Secret))
			if _, err := e.accounts.ChangePassword(e.t.Context(), p, ports.PasswordChange{Old: password, New: newPassword}); err != nil {
				e.t.Fatal(err)
			}
			return link
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newResetEnv(t)
			alice := e.userWithEmail("alice", "alice@example.com")
			links := e.requestReset("alice@example.com")
			token := tt.spoil(e, links[0])
			before := e.passwordHash(alice.ID)
			wantField(t, e.confirmReset(token, "another-Harbour-2231"), "token")
			if e.passwordHash(alice.ID) != before {
				t.Error("the password changed")
			}
		})
	}
}

func TestResetLinkSurvivesARefusedPassword(t *testing.T) {
	e := newResetEnv(t)
	e.userWithEmail("alice", "alice@example.com")
	links := e.requestReset("alice@example.com")
	for _, bad := range []string{"123", "alice@example.com", "password"} {
		wantField(t, e.confirmReset(links[0], bad), "new_password")
	}
	if err := e.confirmReset(links[0], newPassword); err != nil {
		t.Fatalf("ConfirmPasswordReset after refused passwords = %v, want the link still valid", err)
	}
}

func TestPasswordChangeMailsANotice(t *testing.T) {
	e := newResetEnv(t)
	e.userWithEmail("alice", "alice@example.com")
	p := e.principal(tokenCreds(e.obtainToken("alice", password).Secret))
	in := ports.PasswordChange{Old: password, New: newPassword, IP: "203.0.113.8", UserAgent: "curl/8"}
	if _, err := e.accounts.ChangePassword(t.Context(), p, in); err != nil {
		t.Fatal(err)
	}
	mails := e.mailer.take()
	if len(mails) != 1 || mails[0].Kind != domain.MailPasswordChanged || mails[0].IP != "203.0.113.8" || mails[0].UserAgent != "curl/8" {
		t.Fatalf("mails = %+v, want one password-changed notice naming the client", mails)
	}
}

func TestResetIsOffWithoutMail(t *testing.T) {
	e := newResetEnv(t)
	e.userWithEmail("alice", "alice@example.com")
	e.mailer.off = true
	if err := e.accounts.RequestPasswordReset(t.Context(), ports.PasswordResetRequest{Email: "alice@example.com"}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("RequestPasswordReset with mail off = %v, want domain.ErrNotFound", err)
	}
	s, _ := e.draw(domain.ResetPrefix)
	if err := e.confirmReset(s, newPassword); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConfirmPasswordReset with mail off = %v, want domain.ErrNotFound", err)
	}
}

func TestResetRequestIsPaddedToTheFloor(t *testing.T) {
	s := app.DefaultSettings()
	s.ResetFloor = 30 * time.Millisecond
	e := newEnvWith(t, s)
	for _, email := range []string{"nobody@example.com", "bad address"} {
		start := time.Now()
		_ = e.accounts.RequestPasswordReset(t.Context(), ports.PasswordResetRequest{Email: email})
		if d := time.Since(start); d < s.ResetFloor {
			t.Errorf("request for %q took %v, want at least %v", email, d, s.ResetFloor)
		}
	}
}
