package app_test

import (
	"encoding/base32"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// enrol enrols and confirms a TOTP factor for u, returning its secret and recovery codes.
// The clock then moves one step on, so the confirming code is not the next one expected.
func (e *env) enrol(u domain.User) (domain.TOTPSecret, []string) {
	e.t.Helper()
	p := principalOf(u)
	en, err := e.accounts.EnrolTOTP(e.t.Context(), p)
	if err != nil {
		e.t.Fatalf("EnrolTOTP: %v", err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil || len(raw) != domain.TOTPSecretBytes {
		e.t.Fatalf("secret %q: %v", en.Secret, err)
	}
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte(raw))
	codes, err := e.accounts.ConfirmTOTP(e.t.Context(), p, e.code(secret, 0), ports.FactorProof{IP: "192.0.2.1"})
	if err != nil {
		e.t.Fatalf("ConfirmTOTP: %v", err)
	}
	e.clock.Advance(domain.TOTPPeriod)
	return secret, codes
}

// code is secret's code for the step off steps from now.
func (e *env) code(secret domain.TOTPSecret, off int64) string {
	return domain.TOTPCode(secret, domain.TOTPStep(e.clock.Now())+off)
}

// ticket logs in with the password and returns the ticket the first step answers with.
func (e *env) ticket(username string, token bool) string {
	e.t.Helper()
	in := ports.Login{Username: username, Password: password, TokenName: "laptop", IP: "192.0.2.1"}
	var err error
	if token {
		_, err = e.accounts.ObtainToken(e.t.Context(), in)
	} else {
		_, _, err = e.accounts.Login(e.t.Context(), in)
	}
	var need *domain.SecondFactorRequiredError
	if !errors.As(err, &need) {
		e.t.Fatalf("login of %s: err = %v, want *SecondFactorRequiredError", username, err)
	}
	if !domain.ValidMFATicketSecret(need.Ticket) ||
		!slices.Equal(need.Factors, []domain.FactorKind{domain.FactorTOTP, domain.FactorRecoveryCode}) {
		e.t.Fatalf("challenge = %+v", need)
	}
	return need.Ticket
}

// userNamed returns the stored user called name.
func (e *env) userNamed(name string) domain.User {
	e.t.Helper()
	u, err := e.users.UserByUsername(e.t.Context(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) verify(ticket, code, recovery string) (ports.LoginResult, error) {
	return e.accounts.VerifySecondFactor(e.t.Context(), ports.SecondFactorLogin{Ticket: ticket, Code: code,
		RecoveryCode: recovery, IP: "192.0.2.1", UserAgent: "test"})
}

func TestTOTPLoginNeedsCodeAfterConfirmation(t *testing.T) {
	e := newEnv(t)
	alice := e.signUp("alice")
	if got, _ := e.accounts.Factors(t.Context(), principalOf(alice)); len(got) != 0 {
		t.Fatalf("factors before enrolment = %v", got)
	}
	// An unconfirmed factor guards nothing.
	if _, err := e.accounts.EnrolTOTP(t.Context(), principalOf(alice)); err != nil {
		t.Fatal(err)
	}
	e.login("alice", password)
	secret, codes := e.enrol(alice)
	if len(codes) != domain.RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	if got, _ := e.accounts.Factors(t.Context(), principalOf(alice)); len(got) != 2 {
		t.Fatalf("factors = %v", got)
	}
	if _, err := e.accounts.EnrolTOTP(t.Context(), principalOf(alice)); !errors.Is(err, domain.ErrFactorExists) {
		t.Fatalf("second enrolment: %v, want ErrFactorExists", err)
	}

	res, err := e.verify(e.ticket("alice", false), e.code(secret, 0), "")
	if err != nil || res.Session == nil || res.Token != nil || !e.sessionLive(res.Session.Secret) {
		t.Fatalf("verify for a session = %+v, %v", res, err)
	}
	e.clock.Advance(domain.TOTPPeriod)
	res, err = e.verify(e.ticket("alice", true), e.code(secret, 0), "")
	if err != nil || res.Token == nil || res.Token.Token.Name != "laptop" || !e.tokenLive(res.Token.Secret) {
		t.Fatalf("verify for a token = %+v, %v", res, err)
	}
}

func TestTOTPCodeIsUsedOnce(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol(e.signUp("alice"))
	code := e.code(secret, 0)
	if _, err := e.verify(e.ticket("alice", true), code, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.verify(e.ticket("alice", true), code, ""); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("replayed code: %v, want ErrInvalidCredentials", err)
	}
	// An older code than the one used is refused as well.
	if _, err := e.verify(e.ticket("alice", true), e.code(secret, -1), ""); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("older code: %v, want ErrInvalidCredentials", err)
	}
}

func TestTOTPSkew(t *testing.T) {
	for _, tc := range []struct {
		off int64
		ok  bool
	}{{-2, false}, {-1, true}, {0, true}, {1, true}, {2, false}} {
		e := newEnv(t)
		secret, _ := e.enrol(e.signUp("alice"))
		e.clock.Advance(3 * domain.TOTPPeriod) // past the confirming code's window
		_, err := e.verify(e.ticket("alice", true), e.code(secret, tc.off), "")
		if (err == nil) != tc.ok {
			t.Errorf("code %+d steps away: err = %v, want ok=%v", tc.off, err, tc.ok)
		}
	}
}

func TestWrongCodesAreThrottledAndBoundPerTicket(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol(e.signUp("alice"))
	ticket := e.ticket("alice", true)
	for i := range domain.MFATicketAttempts {
		if _, err := e.verify(ticket, "000000", ""); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	// The ticket is used up: not even the right code finishes it.
	if _, err := e.verify(ticket, e.code(secret, 0), ""); len(validationFields(t, err)["ticket"]) == 0 {
		t.Fatalf("exhausted ticket: %v, want a ticket error", err)
	}

	// The login throttle counts codes, reserving before the check.
	e2 := newEnv(t)
	_, a, _ := throttled(e2, app.Throttle{LoginUser: domain.Rate{Events: 3, Per: time.Minute}})
	e2.accounts = a
	secret, _ = e2.enrol(e2.signUp("bob"))
	ticket = e2.ticket("bob", true) // the right password gave its charge back
	for range 3 {
		if _, err := e2.verify(ticket, "000000", ""); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("wrong code: %v", err)
		}
	}
	_, err := e2.verify(ticket, e2.code(secret, 0), "")
	wantLimited(t, err)
	e2.clock.Advance(time.Minute)
	// The throttled attempt did not burn the ticket.
	if _, err := e2.verify(ticket, e2.code(secret, 0), ""); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	_, codes := e.enrol(e.signUp("alice"))
	mark := e.audit.len()
	if _, err := e.verify(e.ticket("alice", false), "", codes[3]); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	if !slices.ContainsFunc(e.audit.since(mark), func(a domain.Audit) bool { return a.Event == domain.AuditMFARecoveryUsed }) {
		t.Error("no mfa_recovery_used audit event")
	}
	if _, err := e.verify(e.ticket("alice", false), "", codes[3]); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("second use: %v, want ErrInvalidCredentials", err)
	}
	// Regenerating voids the old set. (fakeRandom makes sets that differ in their second
	// code only, so that is the one compared.)
	alice := principalOf(e.userNamed("alice"))
	if _, err := e.accounts.RegenerateRecoveryCodes(t.Context(), alice, ports.FactorProof{Password: password, IP: "192.0.2.1"}); err == nil {
		t.Fatal("new recovery codes for the password alone")
	}
	fresh, err := e.accounts.RegenerateRecoveryCodes(t.Context(), alice, ports.FactorProof{Password: password, RecoveryCode: codes[4], IP: "192.0.2.1"})
	if err != nil || len(fresh) != domain.RecoveryCodeCount {
		t.Fatalf("regenerate: %v", err)
	}
	if _, err := e.verify(e.ticket("alice", false), "", codes[1]); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("old set after regeneration: %v", err)
	}
	if _, err := e.verify(e.ticket("alice", false), "", fresh[1]); err != nil {
		t.Fatalf("new set: %v", err)
	}
}

func TestTicketExpiresAfterFiveMinutes(t *testing.T) {
	for _, tc := range []struct {
		after time.Duration
		ok    bool
	}{{domain.MFATicketTTL - time.Second, true}, {domain.MFATicketTTL, false}} {
		e := newEnv(t)
		secret, _ := e.enrol(e.signUp("alice"))
		ticket := e.ticket("alice", true)
		e.clock.Advance(tc.after)
		_, err := e.verify(ticket, e.code(secret, 0), "")
		if (err == nil) != tc.ok {
			t.Errorf("after %v: err = %v, want ok=%v", tc.after, err, tc.ok)
		}
	}
}

func TestTicketIsVoidedByPasswordChange(t *testing.T) {
	e := newEnv(t)
	alice := e.signUp("alice")
	secret, _ := e.enrol(alice)
	ticket := e.ticket("alice", true)
	if _, err := e.accounts.ChangePassword(t.Context(), principalOf(alice), ports.PasswordChange{Old: password, New: newPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.verify(ticket, e.code(secret, 0), ""); len(validationFields(t, err)["ticket"]) == 0 {
		t.Fatalf("ticket after a password change: %v", err)
	}
}

func TestConcurrentVerifiesOfOneTicketMakeOneToken(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol(e.signUp("alice"))
	ticket, code := e.ticket("alice", true), e.code(secret, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 50 {
		wg.Go(func() {
			if res, err := e.verify(ticket, code, ""); err == nil && res.Token != nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	toks, _ := e.tokens.TokensByUser(t.Context(), e.userNamed("alice").ID)
	if wins != 1 || len(toks) != 1 {
		t.Fatalf("%d verifies won, %d tokens; want 1 and 1", wins, len(toks))
	}
}

func TestDisableTOTPRevokesOtherCredentials(t *testing.T) {
	e := newEnv(t)
	alice := e.signUp("alice")
	secret, codes := e.enrol(alice)
	other := e.plantToken(alice.ID)
	session := e.plantSession(alice.ID)
	mine, err := e.verify(e.ticket("alice", true), e.code(secret, 0), "")
	if err != nil {
		t.Fatal(err)
	}
	p := domain.Principal{User: alice, Method: domain.MethodToken, Token: &mine.Token.Token}
	e.clock.Advance(domain.TOTPPeriod)
	for _, tc := range []struct {
		name string
		in   ports.FactorProof
		want string
	}{
		{"wrong password", ports.FactorProof{Password: "nope", Code: e.code(secret, 0)}, "password"},
		{"wrong code", ports.FactorProof{Password: password, Code: "000000"}, "code"},
	} {
		if err := e.accounts.DisableTOTP(t.Context(), p, tc.in); len(validationFields(t, err)[tc.want]) == 0 {
			t.Errorf("%s: %v, want an error on %q", tc.name, err, tc.want)
		}
	}
	if err := e.accounts.DisableTOTP(t.Context(), p, ports.FactorProof{Password: password, RecoveryCode: codes[0]}); err != nil {
		t.Fatalf("disable: %v", err)
	}
	if e.tokenLive(other) || e.sessionLive(session) || !e.tokenLive(mine.Token.Secret) {
		t.Fatal("other credentials live, or the caller's revoked")
	}
	if n, _ := e.recovery.DeleteUserCodes(t.Context(), alice.ID, domain.PurposeRecovery); n != 0 {
		t.Fatalf("%d recovery codes left", n)
	}
	e.obtainToken("alice", password) // one step again
}

func TestBasicIsRefusedForUserWithFactor(t *testing.T) {
	e := newEnv(t)
	alice := e.signUp("alice")
	if _, err := e.auth(basicCreds("alice", password)); err != nil {
		t.Fatalf("Basic before enrolment: %v", err)
	}
	e.enrol(alice)
	if _, err := e.auth(basicCreds("alice", password)); !errors.Is(err, domain.ErrBasicWithFactor) {
		t.Fatalf("Basic with a factor: %v, want ErrBasicWithFactor", err)
	}
}

func TestEnrolmentNeedsServerKey(t *testing.T) {
	e := newEnv(t)
	e.mfa.Keys = domain.ServerKeys{}
	e.accounts = app.NewAccounts(e.users, e.sessions, e.tokens, e.port, e.verifier, e.clock, e.random, e.settings,
		e.limiter, app.Throttle{}, e.audit, e.cache, e.codes, e.mailer, e.mfa)
	if _, err := e.accounts.EnrolTOTP(t.Context(), principalOf(e.signUp("alice"))); !errors.Is(err, domain.ErrNoServerKey) {
		t.Fatalf("EnrolTOTP without a key: %v, want ErrNoServerKey", err)
	}
}

func TestDeletionAndResetRemoveFactors(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.signUp("alice"), e.signUp("bob")
	e.enrol(alice)
	e.enrol(bob)
	if err := e.accounts.DeleteAccount(t.Context(), principalOf(alice), ports.AccountDeletion{Password: password}); err != nil {
		t.Fatal(err)
	}
	admin := e.admin()
	if kinds, _, err := admin.Factors(t.Context(), "bob"); err != nil || len(kinds) != 2 {
		t.Fatalf("admin factors of bob = %v, %v", kinds, err)
	}
	if err := admin.ResetFactors(t.Context(), "bob"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []domain.User{alice, bob} {
		if _, err := e.factors.TOTP(t.Context(), u.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s's factor: %v, want ErrNotFound", u.Username, err)
		}
		if n, _ := e.recovery.DeleteUserCodes(t.Context(), u.ID, domain.PurposeRecovery); n != 0 {
			t.Errorf("%s: %d recovery codes left", u.Username, n)
		}
	}
	e.obtainToken("bob", password)
	if _, _, err := admin.Factors(t.Context(), "alice"); !errors.Is(err, domain.ErrNoSuchUser) {
		t.Errorf("admin factors of a deleted user: %v, want ErrNoSuchUser", err)
	}
	if err := admin.ResetFactors(t.Context(), "nobody"); !errors.Is(err, domain.ErrNoSuchUser) {
		t.Errorf("admin reset of an unknown user: %v, want ErrNoSuchUser", err)
	}
}

func TestConcurrentLoginsWithOneCodeMakeOneToken(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol(e.signUp("alice"))
	tickets := make([]string, 20)
	for i := range tickets {
		tickets[i] = e.ticket("alice", true)
	}
	code := e.code(secret, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for _, ticket := range tickets {
		wg.Go(func() {
			if _, err := e.verify(ticket, code, ""); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("one code finished %d logins, want 1", wins)
	}
}

// TestFactorsOnMeAreCachedLikeOwners: /me's list of factors may be as stale as a cached
// owner, no more: a factor confirmed on another instance shows once the user cache's TTL has
// passed, and one confirmed here shows at once.
func TestFactorsOnMeAreCachedLikeOwners(t *testing.T) {
	s := app.DefaultSettings()
	s.UserCacheTTL = time.Hour // longer than enrol's clock step, so only a drop shows bob's at once
	e := newEnvWith(t, s)
	alice, bob := e.signUp("alice"), e.signUp("bob")
	kinds := func(u domain.User) int {
		t.Helper()
		got, err := e.accounts.Factors(t.Context(), principalOf(u))
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if kinds(alice) != 0 {
		t.Fatal("a new account has factors")
	}
	// Another instance enrols and confirms alice's factor: only the store knows.
	if err := e.factors.PutTOTP(t.Context(), domain.TOTPFactor{UserID: alice.ID, Sealed: []byte{1}, Confirmed: true,
		CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if kinds(alice) != 0 {
		t.Error("the factor showed before the cache's TTL passed: the store was read again")
	}
	e.clock.Advance(time.Hour)
	if kinds(alice) != 2 {
		t.Error("the factor did not show once the TTL had passed")
	}
	if kinds(bob) != 0 {
		t.Fatal("bob has factors")
	}
	e.enrol(bob)
	if kinds(bob) != 2 {
		t.Error("a factor confirmed on this instance did not show at once")
	}
}

// TestRotatedKeyResealsOnUse: after a key rotation (a new key listed first, the old one
// after it) a login with a code seals the secret again under the new key, so the old key
// can be retired once the accounts have logged in.
func TestRotatedKeyResealsOnUse(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol(e.signUp("alice"))
	alice := e.userNamed("alice")
	newKey, oldKey := domain.NewServerKeys([domain.ServerKeyBytes]byte{9}), e.mfa.Keys
	rotated := e.mfa
	rotated.Keys = domain.NewServerKeys([domain.ServerKeyBytes]byte{9}, [domain.ServerKeyBytes]byte{1, 2, 3})
	e.accounts = app.NewAccounts(e.users, e.sessions, e.tokens, e.port, e.verifier, e.clock, e.random, e.settings,
		e.limiter, app.Throttle{}, e.audit, e.cache, e.codes, e.mailer, rotated)

	before, err := e.factors.TOTP(t.Context(), alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newKey.OpenTOTP(alice.ID, before.Sealed); err == nil {
		t.Fatal("the secret opens with the new key before any login")
	}
	if _, err := e.verify(e.ticket("alice", true), e.code(secret, 0), ""); err != nil {
		t.Fatal(err)
	}
	after, err := e.factors.TOTP(t.Context(), alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := newKey.OpenTOTP(alice.ID, after.Sealed); err != nil || got != secret {
		t.Fatalf("after a login the new key opens %v, %v", got, err)
	}
	if _, err := oldKey.OpenTOTP(alice.ID, after.Sealed); err == nil {
		t.Error("the old key still opens the resealed secret")
	}
	if after.LastStep != domain.TOTPStep(e.clock.Now()) {
		t.Errorf("reseal lost the step: %d", after.LastStep)
	}
}
