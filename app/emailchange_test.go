package app_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// principalOf is u signed in with a token, as the HTTP adapter passes it.
func principalOf(u domain.User) domain.Principal {
	return domain.Principal{User: u, Method: domain.MethodToken, Token: &domain.Token{ID: "t1", UserID: u.ID}}
}

// requestChange asks for u's address to become email, from a fixed client.
func (e *env) requestChange(u domain.User, email, pw string) error {
	return e.accounts.RequestEmailChange(e.t.Context(), principalOf(u),
		ports.EmailChangeRequest{Email: email, Password: pw, IP: "203.0.113.7", UserAgent: "Firefox/140"})
}

// changeLink asks for u's address to become email and returns the secret of the link that
// went to it, after checking the mails: the link to the new address, and a notice to the old
// one when there was one.
func (e *env) changeLink(u domain.User, email string) string {
	e.t.Helper()
	if err := e.requestChange(u, email, password); err != nil {
		e.t.Fatalf("RequestEmailChange(%q) = %v", email, err)
	}
	var secret string
	for _, m := range e.mailer.take() {
		switch m.Kind {
		case domain.MailEmailChangeConfirm:
			s, ok := strings.CutPrefix(m.Link, "/email/change#token=")
			if m.To != email || m.NewEmail != email || !ok || !domain.ValidEmailChangeSecret(s) {
				e.t.Fatalf("confirmation = %+v, want a gtc_ link in the fragment to %s", m, email)
			}
			secret = s
		case domain.MailEmailChangeNotice:
			if m.To != u.Email || m.NewEmail != email || m.IP != "203.0.113.7" || m.UserAgent != "Firefox/140" || m.At.IsZero() {
				e.t.Fatalf("notice = %+v, want one to %s naming %s, the time, IP and browser", m, u.Email, email)
			}
		default:
			e.t.Fatalf("unexpected mail %+v", m)
		}
	}
	if secret == "" {
		e.t.Fatal("no confirmation mailed")
	}
	return secret
}

func (e *env) confirmChange(token string) (string, error) {
	return e.accounts.ConfirmEmailChange(e.t.Context(),
		ports.EmailChangeConfirm{Token: token, IP: "198.51.100.4", UserAgent: "Safari/18"})
}

func (e *env) user(id domain.UserID) domain.User {
	e.t.Helper()
	u, err := e.users.UserByID(e.t.Context(), id)
	if err != nil {
		e.t.Fatalf("UserByID(%d): %v", id, err)
	}
	return u
}

func TestEmailChangeRequestIsRefused(t *testing.T) {
	tests := []struct {
		name     string
		shared   bool // GATEHOUSE_UNIQUE_EMAIL=false
		email    string
		password string
		field    string // the field the refusal names, or "" for wantErr
		wantErr  error
	}{
		{name: "wrong password", email: "new@example.com", password: "wrong-Password-1", field: "password"},
		{name: "malformed address", email: "not an address", password: password, field: "email"},
		{name: "no address", email: "  ", password: password, field: "email"},
		{name: "the address the account has", email: "alice@example.com", password: password, field: "email"},
		{name: "the address in its domain's other case", email: "alice@EXAMPLE.com", password: password, field: "email"},
		{name: "another account's address", email: "bob@example.com", password: password, wantErr: domain.ErrEmailTaken},
		{name: "another account's address in another case", email: "BOB@example.com", password: password, wantErr: domain.ErrEmailTaken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			alice := e.userWithEmail("alice", "alice@example.com")
			e.userWithEmail("bob", "bob@example.com")
			mark := e.audit.len()
			err := e.requestChange(alice, tt.email, tt.password)
			if tt.field != "" {
				wantField(t, err, tt.field)
			} else if !errors.Is(err, tt.wantErr) {
				t.Fatalf("RequestEmailChange = %v, want %v", err, tt.wantErr)
			}
			if mails := e.mailer.take(); len(mails) != 0 {
				t.Errorf("mails = %+v, want none", mails)
			}
			for _, a := range e.audit.since(mark) {
				if a.Event == domain.AuditEmailChangeRequested {
					t.Errorf("a refused request was audited as %s", a.Event)
				}
			}
		})
	}
}

func TestEmailChangeRequestIsAccepted(t *testing.T) {
	tests := []struct {
		name    string
		unique  bool
		from    string // the account's address now
		to      string
		notices int // mails to the old address
	}{
		{"new address", true, "alice@example.com", "alice@example.net", 1},
		{"own address in another spelling", true, "alice@example.com", "Alice@example.com", 1},
		{"an address another account shares, addresses shared", false, "alice@example.com", "bob@example.com", 1},
		{"first address of an account without one", true, "", "alice@example.net", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := app.DefaultSettings()
			s.UniqueEmail = tt.unique
			e := newEnvWith(t, s)
			alice := e.userWithEmail("alice", tt.from)
			e.userWithEmail("bob", "bob@example.com")
			mark := e.audit.len()
			if err := e.requestChange(alice, tt.to, password); err != nil {
				t.Fatalf("RequestEmailChange = %v", err)
			}
			mails := e.mailer.take()
			if len(mails) != 1+tt.notices || mails[0].Kind != domain.MailEmailChangeConfirm || mails[0].To != tt.to {
				t.Fatalf("mails = %+v, want a confirmation to %s and %d notices", mails, tt.to, tt.notices)
			}
			if recs := e.audit.since(mark); len(recs) != 1 || recs[0].Event != domain.AuditEmailChangeRequested ||
				recs[0].UserID != alice.ID || recs[0].Method != domain.MethodToken {
				t.Errorf("audit = %+v, want one email_change_requested of alice", recs)
			}
			if got := e.user(alice.ID); got.Email != tt.from {
				t.Errorf("address = %q before confirmation, want %q unchanged", got.Email, tt.from)
			}
		})
	}
}

func TestEmailChangeConfirmed(t *testing.T) {
	e := newEnv(t)
	alice := e.userWithEmail("alice", "alice@example.com")
	verify, _ := e.draw(domain.ResetPrefix)
	reset, _ := e.draw(domain.ResetPrefix)
	for _, c := range []domain.OneTimeCode{
		{Purpose: domain.PurposeVerifyEmail, UserID: alice.ID, Hash: domain.HashSecret(verify), Email: alice.Email},
		{Purpose: domain.PurposePasswordReset, UserID: alice.ID, Hash: domain.HashSecret(reset), Email: alice.Email},
	} {
		c.CreatedAt, c.ExpiresAt = e.clock.Now(), e.clock.Now().Add(time.Hour)
		if err := e.codes.CreateCode(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	link := e.changeLink(alice, "alice@example.net")
	mark := e.audit.len()

	got, err := e.confirmChange(link)
	if err != nil || got != "alice@example.net" {
		t.Fatalf("ConfirmEmailChange = %q, %v; want the new address", got, err)
	}
	if u := e.user(alice.ID); u.Email != "alice@example.net" || !u.EmailVerified {
		t.Errorf("user = %q verified %v, want the new address, verified", u.Email, u.EmailVerified)
	}
	if recs := e.audit.since(mark); len(recs) != 1 || recs[0].Event != domain.AuditEmailChanged || recs[0].UserID != alice.ID {
		t.Errorf("audit = %+v, want one email_changed of alice", recs)
	}
	mails := e.mailer.take()
	if len(mails) != 1 || mails[0].Kind != domain.MailEmailChanged || mails[0].To != "alice@example.com" ||
		mails[0].NewEmail != "alice@example.net" || mails[0].IP != "198.51.100.4" || mails[0].UserAgent != "Safari/18" {
		t.Errorf("mails = %+v, want one email-changed notice to the old address naming the new one and the client", mails)
	}
	for purpose, secret := range map[domain.CodePurpose]string{domain.PurposeVerifyEmail: verify, domain.PurposePasswordReset: reset} {
		if _, err := e.codes.ConsumeCode(t.Context(), purpose, domain.HashSecret(secret)); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s link to the old address is still live after the change (%v)", purpose, err)
		}
	}
	if _, err := e.confirmChange(link); err == nil {
		t.Fatal("a used link worked again")
	} else {
		wantField(t, err, "token")
	}
}

func TestEmailChangeLinkIsRefused(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(e *env, alice domain.User, link string) string // returns the token to confirm with
	}{
		{"malformed", func(_ *env, _ domain.User, link string) string { return link[:len(link)-1] + "x" }},
		{"of another kind", func(e *env, _ domain.User, _ string) string { s, _ := e.draw(domain.ResetPrefix); return s }},
		{"unknown", func(e *env, _ domain.User, _ string) string { s, _ := e.draw(domain.EmailChangePrefix); return s }},
		{"expired", func(e *env, _ domain.User, link string) string {
			e.clock.Advance(app.DefaultEmailChangeTTL)
			return link
		}},
		{"voided by a newer request", func(e *env, alice domain.User, link string) string {
			e.changeLink(alice, "alice@example.org")
			return link
		}},
		{"voided by a password change", func(e *env, alice domain.User, link string) string {
			p := e.principal(tokenCreds(e.obtainToken("alice", password).Secret))
			if _, err := e.accounts.ChangePassword(e.t.Context(), p, ports.PasswordChange{Old: password, New: newPassword}); err != nil {
				e.t.Fatal(err)
			}
			return link
		}},
		{"of a deactivated account", func(e *env, alice domain.User, link string) string {
			if err := e.users.SetActive(e.t.Context(), alice.ID, false); err != nil {
				e.t.Fatal(err)
			}
			return link
		}},
		{"of a deleted account", func(e *env, alice domain.User, link string) string {
			if err := e.users.DeleteUser(e.t.Context(), alice.ID); err != nil {
				e.t.Fatal(err)
			}
			return link
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			alice := e.userWithEmail("alice", "alice@example.com")
			token := tt.spoil(e, alice, e.changeLink(alice, "alice@example.net"))
			e.mailer.take()
			_, err := e.confirmChange(token)
			wantField(t, err, "token")
			if u, err := e.users.UserByID(t.Context(), alice.ID); err == nil && u.Email != "alice@example.com" {
				t.Errorf("address = %q, want it unchanged", u.Email)
			}
			if mails := e.mailer.take(); len(mails) != 0 {
				t.Errorf("mails = %+v, want none", mails)
			}
		})
	}
}

// TestEmailChangeToAnAddressTakenMeanwhile: under unique addresses, an address another
// account took between the request and the confirmation is refused, and the account keeps
// its own.
func TestEmailChangeToAnAddressTakenMeanwhile(t *testing.T) {
	e := newEnv(t)
	alice := e.userWithEmail("alice", "alice@example.com")
	link := e.changeLink(alice, "shared@example.com")
	e.userWithEmail("bob", "shared@example.com")
	if _, err := e.confirmChange(link); !errors.Is(err, domain.ErrEmailTaken) {
		t.Fatalf("ConfirmEmailChange = %v, want domain.ErrEmailTaken", err)
	}
	if u := e.user(alice.ID); u.Email != "alice@example.com" {
		t.Errorf("address = %q, want it unchanged", u.Email)
	}
}

// TestEmailChangeLinkWorksOnce: many confirmations of one link at once, exactly one wins.
func TestEmailChangeLinkWorksOnce(t *testing.T) {
	e := newEnv(t)
	alice := e.userWithEmail("alice", "alice@example.com")
	link := e.changeLink(alice, "alice@example.net")
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = e.confirmChange(link) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			wantField(t, err, "token")
		}
	}
	if won != 1 {
		t.Errorf("%d of %d parallel confirmations succeeded, want exactly 1", won, n)
	}
	if mails := e.mailer.take(); len(mails) != 1 {
		t.Errorf("%d notices, want 1", len(mails))
	}
}

// TestEmailChangeRequestsAreThrottled: requests are charged to the reset limits per address,
// and a request refused for its password gives its charge back.
func TestEmailChangeRequestsAreThrottled(t *testing.T) {
	e := newEnv(t)
	throttle := app.Throttle{ResetTarget: domain.Rate{Events: 1, Per: time.Hour}}
	a := app.NewAccounts(e.users, e.sessions, e.tokens, e.port, e.verifier, e.clock, e.random, e.settings,
		e.limiter, throttle, e.audit, e.cache, e.codes, e.mailer, e.mfa)
	alice := e.userWithEmail("alice", "alice@example.com")
	request := func(pw string) error {
		return a.RequestEmailChange(t.Context(), principalOf(alice), ports.EmailChangeRequest{Email: "new@example.com", Password: pw})
	}
	wantField(t, request("wrong-Password-1"), "password")
	if err := request(password); err != nil {
		t.Fatalf("first request after a wrong password = %v, want it through", err)
	}
	var limited *domain.RateLimitedError
	if err := request(password); !errors.As(err, &limited) {
		t.Errorf("second request to one address = %v, want *domain.RateLimitedError", err)
	}
}

func TestEmailChangeIsOffWithoutMail(t *testing.T) {
	e := newEnv(t)
	alice := e.userWithEmail("alice", "alice@example.com")
	e.mailer.off = true
	if err := e.requestChange(alice, "new@example.com", password); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("RequestEmailChange with mail off = %v, want domain.ErrNotFound", err)
	}
	s, _ := e.draw(domain.EmailChangePrefix)
	if _, err := e.confirmChange(s); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConfirmEmailChange with mail off = %v, want domain.ErrNotFound", err)
	}
}

func TestAdminSetEmail(t *testing.T) {
	tests := []struct {
		name     string
		username string
		email    string
		want     string // the address afterwards
		field    string
		wantErr  error
	}{
		{name: "new address", username: "alice", email: "alice@example.net", want: "alice@example.net"},
		{name: "domain lower-cased", username: "alice", email: "alice@EXAMPLE.net", want: "alice@example.net"},
		{name: "another account's address", username: "alice", email: "bob@example.com", wantErr: domain.ErrEmailTaken},
		{name: "malformed", username: "alice", email: "nope", field: "email"},
		{name: "unknown user", username: "nobody", email: "x@example.com", wantErr: domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			alice := e.userWithEmail("alice", "alice@example.com")
			e.userWithEmail("bob", "bob@example.com")
			mark := e.audit.len()
			err := e.admin().SetEmail(t.Context(), tt.username, tt.email)
			switch {
			case tt.field != "":
				wantField(t, err, tt.field)
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("SetEmail = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("SetEmail = %v", err)
			}
			u := e.user(alice.ID)
			if tt.want == "" {
				if u.Email != "alice@example.com" || len(e.audit.since(mark)) != 0 {
					t.Errorf("refused change left %q and audit %+v", u.Email, e.audit.since(mark))
				}
				return
			}
			if u.Email != tt.want || !u.EmailVerified {
				t.Errorf("user = %q verified %v, want %q verified", u.Email, u.EmailVerified, tt.want)
			}
			if recs := e.audit.since(mark); len(recs) != 1 || recs[0].Event != domain.AuditEmailChanged || recs[0].UserID != alice.ID {
				t.Errorf("audit = %+v, want one email_changed of alice", recs)
			}
		})
	}
}
