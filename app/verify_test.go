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

// verifyEnv is an env whose use cases require verified addresses when require is set, send
// at most three verification mails an hour per account, and remember Basic credentials.
type verifyEnv struct {
	*env
	chain *app.Chain
}

func newVerifyEnv(t *testing.T, require bool) verifyEnv {
	s := app.DefaultSettings()
	s.RequireVerifiedEmail = require
	e := newEnvWith(t, s)
	throttle := app.Throttle{VerifyUser: domain.Rate{Events: 3, Per: time.Hour}}
	email := app.NewEmailVerification(e.users, e.codes, e.mailer, e.random, e.clock, s, e.limiter, throttle, e.audit)
	cache, err := app.NewBasicCache(app.Settings{BasicCacheTTL: time.Minute}, e.random, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	e.cache = cache
	e.verifier = app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{}, nil, email)
	e.accounts = app.NewAccounts(e.users, e.sessions, e.tokens, e.port, e.verifier, e.clock, e.random, s,
		e.limiter, app.Throttle{}, e.audit, cache, e.codes, e.mailer, e.mfa)
	return verifyEnv{env: e, chain: e.chain(defaultOrder...)}
}

// signUpWith signs up username with address email and returns the user and the secrets of
// the verification links mailed.
func (e verifyEnv) signUpWith(username, email string) (domain.User, []string) {
	e.t.Helper()
	u, err := e.accounts.SignUp(e.t.Context(), ports.SignUp{Username: username, Password: password, Email: email})
	if err != nil {
		e.t.Fatalf("SignUp(%q): %v", username, err)
	}
	return u, e.verifyLinks()
}

// verifyLinks returns the secrets of the verification links mailed since the last call,
// failing the test on any other mail.
func (e verifyEnv) verifyLinks() []string {
	e.t.Helper()
	var secrets []string
	for _, m := range e.mailer.take() {
		secret, ok := strings.CutPrefix(m.Link, "/email/verify#token=")
		if m.Kind != domain.MailVerifyEmail || !ok || !domain.ValidVerifySecret(secret) {
			e.t.Fatalf("mail = %+v, want a verification link with a gtv_ secret in the fragment", m)
		}
		secrets = append(secrets, secret)
	}
	return secrets
}

func (e verifyEnv) verified(id domain.UserID) bool {
	e.t.Helper()
	u, err := e.users.UserByID(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.EmailVerified
}

func TestSignupMailsAVerificationLinkToItsAddress(t *testing.T) {
	tests := []struct {
		name    string
		email   string
		mailOff bool
		links   int
	}{
		{"with an address", "alice@example.com", false, 1},
		{"without an address", "", false, 0},
		{"mail off", "alice@example.com", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newVerifyEnv(t, false)
			e.mailer.off = tt.mailOff
			mark := e.audit.len()
			_, links := e.signUpWith("alice", tt.email)
			if len(links) != tt.links {
				t.Fatalf("%d links mailed, want %d", len(links), tt.links)
			}
			sent := 0
			for _, a := range e.audit.since(mark) {
				if a.Event == domain.AuditVerificationSent {
					sent++
				}
			}
			if sent != tt.links {
				t.Errorf("%d %s audit records, want %d", sent, domain.AuditVerificationSent, tt.links)
			}
		})
	}
}

func TestConfirmEmailVerifiesTheAddressOnce(t *testing.T) {
	e := newVerifyEnv(t, false)
	u, links := e.signUpWith("alice", "alice@example.com")
	if e.verified(u.ID) {
		t.Fatal("verified before the link was followed")
	}
	mark := e.audit.len()
	if err := e.accounts.ConfirmEmail(t.Context(), links[0]); err != nil {
		t.Fatalf("ConfirmEmail: %v", err)
	}
	if !e.verified(u.ID) {
		t.Error("not verified after the link was followed")
	}
	if got := e.audit.since(mark); len(got) != 1 || got[0].Event != domain.AuditEmailVerified || got[0].UserID != u.ID {
		t.Errorf("audit = %+v, want one %s of the user", got, domain.AuditEmailVerified)
	}
	wantField(t, e.accounts.ConfirmEmail(t.Context(), links[0]), "token")
}

func TestConfirmEmailRefusesEveryUnusableLinkAlike(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(e verifyEnv, u domain.User, link string) string
	}{
		{"malformed", func(verifyEnv, domain.User, string) string { return "nonsense" }},
		{"a reset link's format", func(_ verifyEnv, _ domain.User, link string) string {
			return domain.ResetPrefix + strings.TrimPrefix(link, domain.VerifyPrefix)
		}},
		{"well-formed but unknown", func(e verifyEnv, _ domain.User, _ string) string {
			s, _ := e.draw(domain.VerifyPrefix)
			return s
		}},
		{"expired", func(e verifyEnv, _ domain.User, link string) string {
			e.clock.Advance(app.DefaultVerifyTTL)
			return link
		}},
		{"voided by a newer link", func(e verifyEnv, u domain.User, link string) string {
			if err := e.accounts.ResendVerification(e.t.Context(), domain.Principal{User: u}); err != nil {
				e.t.Fatal(err)
			}
			e.verifyLinks()
			return link
		}},
		{"sent to an address the account left", func(e verifyEnv, u domain.User, link string) string {
			if err := e.users.SetEmail(e.t.Context(), u.ID, "", domain.EmailUnique); err != nil {
				e.t.Fatal(err)
			}
			return link
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newVerifyEnv(t, false)
			u, links := e.signUpWith("alice", "alice@example.com")
			err := e.accounts.ConfirmEmail(t.Context(), tt.spoil(e, u, links[0]))
			wantField(t, err, "token")
			if msg := validationFields(t, err)["token"][0]; msg != "This verification link is invalid or has expired." {
				t.Errorf("message = %q, want the one message for every unusable link", msg)
			}
			if e.verified(u.ID) {
				t.Error("the address was verified")
			}
		})
	}
}

func TestConfirmEmailUsesALinkOnceUnderConcurrency(t *testing.T) {
	e := newVerifyEnv(t, false)
	_, links := e.signUpWith("alice", "alice@example.com")
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- e.accounts.ConfirmEmail(t.Context(), links[0]) })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			wantField(t, err, "token")
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent confirmations succeeded, want exactly 1", ok, n)
	}
}

func TestResendVerification(t *testing.T) {
	tests := []struct {
		name    string
		email   string
		verify  bool
		mailOff bool
		want    error
	}{
		{"unverified address", "alice@example.com", false, false, nil},
		{"no address", "", false, false, domain.ErrNoEmail},
		{"verified already", "alice@example.com", true, false, domain.ErrEmailAlreadyVerified},
		{"mail off", "alice@example.com", false, true, domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newVerifyEnv(t, false)
			u, links := e.signUpWith("alice", tt.email)
			if tt.verify {
				if err := e.accounts.ConfirmEmail(t.Context(), links[0]); err != nil {
					t.Fatal(err)
				}
			}
			e.mailer.off = tt.mailOff
			err := e.accounts.ResendVerification(t.Context(), domain.Principal{User: u})
			if !errors.Is(err, tt.want) {
				t.Fatalf("ResendVerification = %v, want %v", err, tt.want)
			}
			if got := len(e.verifyLinks()); (err == nil) != (got == 1) {
				t.Errorf("%d links mailed with answer %v", got, err)
			}
		})
	}
}

func TestResendVerificationIsThrottledPerAccount(t *testing.T) {
	e := newVerifyEnv(t, false)
	alice, _ := e.signUpWith("alice", "alice@example.com")
	bob, _ := e.signUpWith("bob", "bob@example.com")
	for range 3 {
		if err := e.accounts.ResendVerification(t.Context(), domain.Principal{User: alice}); err != nil {
			t.Fatal(err)
		}
	}
	wantLimited(t, e.accounts.ResendVerification(t.Context(), domain.Principal{User: alice}))
	if err := e.accounts.ResendVerification(t.Context(), domain.Principal{User: bob}); err != nil {
		t.Errorf("another account was throttled too: %v", err)
	}
	if got := len(e.verifyLinks()); got != 4 {
		t.Errorf("%d links mailed, want 4 (3 to alice, 1 to bob)", got)
	}
	e.clock.Advance(time.Hour)
	if err := e.accounts.ResendVerification(t.Context(), domain.Principal{User: alice}); err != nil {
		t.Errorf("an hour later: %v", err)
	}
}

// loginKinds are the ways to log in; each must meet the rule on unverified addresses.
var loginKinds = []struct {
	name  string
	login func(e verifyEnv, username, pw string) error
}{
	{"session", func(e verifyEnv, username, pw string) error {
		_, _, err := e.accounts.Login(e.t.Context(), ports.Login{Username: username, Password: pw})
		return err
	}},
	{"token", func(e verifyEnv, username, pw string) error {
		_, err := e.accounts.ObtainToken(e.t.Context(), ports.Login{Username: username, Password: pw})
		return err
	}},
	{"basic", func(e verifyEnv, username, pw string) error {
		_, err := e.chain.Authenticate(e.t.Context(), basicCreds(username, pw))
		return err
	}},
}

func TestRequireVerifiedEmailRefusesUnverifiedLoginsOnlyAfterTheRightPassword(t *testing.T) {
	for _, kind := range loginKinds {
		t.Run(kind.name, func(t *testing.T) {
			e := newVerifyEnv(t, true)
			_, links := e.signUpWith("alice", "alice@example.com")

			if err := kind.login(e, "alice", "wrong-Password-1"); !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("wrong password: %v, want the generic invalid credentials", err)
			}
			if got := len(e.verifyLinks()); got != 0 {
				t.Errorf("a wrong password mailed %d links", got)
			}

			mark := e.audit.len()
			if err := kind.login(e, "alice", password); !errors.Is(err, domain.ErrEmailUnverified) {
				t.Fatalf("right password, unverified: %v, want domain.ErrEmailUnverified", err)
			}
			if errors.Is(domain.ErrEmailUnverified, domain.ErrInvalidCredentials) {
				t.Error("ErrEmailUnverified is an ErrInvalidCredentials: it would be answered as a wrong password")
			}
			fresh := e.verifyLinks()
			if len(fresh) != 1 {
				t.Fatalf("the refusal mailed %d links, want 1", len(fresh))
			}
			if !hasEvent(e.audit.since(mark), domain.AuditLoginUnverified) {
				t.Errorf("no %s audit record", domain.AuditLoginUnverified)
			}
			wantField(t, e.accounts.ConfirmEmail(t.Context(), links[0]), "token") // voided by the fresh one

			if err := e.accounts.ConfirmEmail(t.Context(), fresh[0]); err != nil {
				t.Fatal(err)
			}
			if err := kind.login(e, "alice", password); err != nil {
				t.Errorf("verified: %v, want a login", err)
			}
		})
	}
}

func TestRequireVerifiedEmailSendsThrottledLinksOnRefusal(t *testing.T) {
	e := newVerifyEnv(t, true)
	e.signUpWith("alice", "alice@example.com")
	for range 6 {
		if _, _, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: password}); !errors.Is(err, domain.ErrEmailUnverified) {
			t.Fatalf("Login = %v, want domain.ErrEmailUnverified every time, throttled mail or not", err)
		}
	}
	if got := len(e.verifyLinks()); got != 3 {
		t.Errorf("six refused logins mailed %d links, want 3 (the account's limit)", got)
	}
}

func TestRequireVerifiedEmailRefusesAccountsWithoutAVerifiedAddress(t *testing.T) {
	e := newVerifyEnv(t, true)
	_, err := e.accounts.SignUp(t.Context(), ports.SignUp{Username: "carol", Password: password, Email: "  "})
	onlyField(t, err, "email")

	// Remembered Basic credentials meet the rule too: the address is cleared after they were.
	u, links := e.signUpWith("alice", "alice@example.com")
	if err := e.accounts.ConfirmEmail(t.Context(), links[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.chain.Authenticate(t.Context(), basicCreds("alice", password)); err != nil {
		t.Fatal(err)
	}
	if err := e.users.SetEmail(t.Context(), u.ID, "", domain.EmailUnique); err != nil {
		t.Fatal(err)
	}
	if _, err := e.chain.Authenticate(t.Context(), basicCreds("alice", password)); !errors.Is(err, domain.ErrEmailUnverified) {
		t.Errorf("Basic after the address was cleared: %v, want domain.ErrEmailUnverified", err)
	}
	if got := len(e.verifyLinks()); got != 0 {
		t.Errorf("%d links mailed to an account without an address", got)
	}
}

func TestVerificationLinksDoNotRequireAnything(t *testing.T) {
	e := newVerifyEnv(t, false)
	e.signUpWith("alice", "alice@example.com")
	if _, _, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: password}); err != nil {
		t.Errorf("unverified login without the requirement: %v", err)
	}
	if got := len(e.verifyLinks()); got != 0 {
		t.Errorf("a login mailed %d links without the requirement", got)
	}
}

func hasEvent(records []domain.Audit, ev domain.AuditEvent) bool {
	for _, r := range records {
		if r.Event == ev {
			return true
		}
	}
	return false
}
