package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// gatedHasher holds every Verify until released, counting those that reached it. With all
// attempts started at once and released only when each one has either been answered or is
// waiting here, a throttle that checks before and records after the hash lets every attempt
// through to the gate; one that reserves first lets through only its limit.
type gatedHasher struct {
	ports.PasswordHasher
	gate    chan struct{}
	reached atomic.Int64
}

func (h *gatedHasher) Verify(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	h.reached.Add(1)
	<-h.gate
	return h.PasswordHasher.Verify(ctx, pw, encoded)
}

// burst runs attempt n times at once against h and returns how many were judged (a wrong
// password) and how many were refused by the throttle; any other answer fails t.
func burst(t *testing.T, h *gatedHasher, n int, attempt func() error) (judged, limited int) {
	t.Helper()
	var answered atomic.Int64
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = attempt()
			answered.Add(1)
		})
	}
	close(start)
	// Release the hashes once every attempt is answered or waiting at the gate. The loop
	// waits for goroutines to get there; it asserts nothing about time, and is bounded.
	for deadline := time.Now().Add(30 * time.Second); answered.Load()+h.reached.Load() < int64(n); {
		if time.Now().After(deadline) {
			t.Fatal("attempts neither answered nor hashing after 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	close(h.gate)
	wg.Wait()
	for _, err := range errs {
		var verr *domain.ValidationError
		switch {
		case errors.Is(err, domain.ErrInvalidCredentials), errors.As(err, &verr):
			judged++
		case isLimited(err):
			limited++
		default:
			t.Errorf("attempt: %v, want a wrong password or 429", err)
		}
	}
	return judged, limited
}

func isLimited(err error) bool {
	var rl *domain.RateLimitedError
	return errors.As(err, &rl) && rl.RetryAfter > 0
}

// TestParallelGuessesBuyNoMoreThanTheLimit sends 30 and 100 wrong passwords at once down
// every path that checks one: no more are judged than the limit allows, and the right
// password afterwards is refused too.
func TestParallelGuessesBuyNoMoreThanTheLimit(t *testing.T) {
	const limit = 5
	throttle := app.Throttle{LoginUser: domain.Rate{Events: limit, Per: time.Minute}}
	type path struct {
		name string
		// try makes one attempt with pw, through accounts a or chain c, as p.
		try func(a *app.Accounts, c *app.Chain, p domain.Principal, pw string) error
	}
	paths := []path{
		{"token", func(a *app.Accounts, _ *app.Chain, _ domain.Principal, pw string) error {
			_, err := a.ObtainToken(t.Context(), ports.Login{Username: "alice", Password: pw, IP: "192.0.2.1"})
			return err
		}},
		{"login", func(a *app.Accounts, _ *app.Chain, _ domain.Principal, pw string) error {
			_, _, err := a.Login(t.Context(), ports.Login{Username: "alice", Password: pw, IP: "192.0.2.1"})
			return err
		}},
		{"basic", func(_ *app.Accounts, c *app.Chain, _ domain.Principal, pw string) error {
			creds := basicCreds("alice", pw)
			creds.ClientIP = "192.0.2.1"
			_, err := c.Authenticate(t.Context(), creds)
			return err
		}},
		{"password change", func(a *app.Accounts, _ *app.Chain, p domain.Principal, pw string) error {
			_, err := a.ChangePassword(t.Context(), p, ports.PasswordChange{Old: pw, New: newPassword, IP: "192.0.2.1"})
			return err
		}},
	}
	for _, pt := range paths {
		for _, n := range []int{30, 100} {
			t.Run(fmt.Sprintf("%s/%d", pt.name, n), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				alice := e.signUp("alice")
				p := domain.Principal{User: alice, Method: domain.MethodToken, Token: &domain.Token{ID: "t1", UserID: alice.ID}}
				h := &gatedHasher{PasswordHasher: e.port, gate: make(chan struct{})}
				v := app.NewVerifier(e.users, h, e.limiter, throttle, e.audit, app.LoginTiming{}, nil, nil)
				a := app.NewAccounts(e.users, e.sessions, e.tokens, h, v, e.clock, e.random, e.settings, e.limiter, throttle, e.audit, e.cache, e.codes, e.mailer, e.mfa)
				c := app.NewChain(defaultOrder, e.users, e.sessions, e.tokens, v, e.cache, e.clock, e.settings, e.mfa)

				judged, limited := burst(t, h, n, func() error { return pt.try(a, c, p, "wrong-Password-1") })
				if judged > limit || judged+limited != n {
					t.Errorf("%d parallel wrong passwords: %d judged, %d refused; want at most %d judged", n, judged, limited, limit)
				}
				if got := h.reached.Load(); got > limit {
					t.Errorf("%d password verifications ran, want at most %d", got, limit)
				}
				if err := pt.try(a, c, p, password); !isLimited(err) {
					t.Errorf("right password after the burst: %v, want 429", err)
				}
			})
		}
	}
}

func TestSuccessGivesBackItsCharge(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	v, _, _ := throttled(e, app.Throttle{LoginUser: domain.Rate{Events: 2, Per: time.Minute}})
	if _, err := v.Check(t.Context(), "alice", "wrong-Password-1", "192.0.2.1", domain.MethodBasic); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	// A Basic client with the right password hashes on every request the cache misses: it
	// must never run out.
	for i := range 10 {
		if _, err := v.Check(t.Context(), "alice", password, "192.0.2.1", domain.MethodBasic); err != nil {
			t.Fatalf("success %d: %v", i+1, err)
		}
	}
	if _, err := v.Check(t.Context(), "alice", "wrong-Password-2", "192.0.2.1", domain.MethodBasic); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("second wrong password, within the limit: %v", err)
	}
	_, err := v.Check(t.Context(), "alice", password, "192.0.2.1", domain.MethodBasic)
	wantLimited(t, err)
}

func TestAccountLimitHoldsAcrossAddresses(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	e.signUp("bob")
	v, _, h := throttled(e, app.Throttle{LoginAccount: domain.Rate{Events: 3, Per: time.Hour}})
	for i := range 3 {
		ip := fmt.Sprintf("198.51.100.%d", i+1)
		if _, err := v.Check(t.Context(), "alice", "wrong-Password-1", ip, domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("failure %d from %s: %v", i+1, ip, err)
		}
	}
	before := len(h.verified)
	_, err := v.Check(t.Context(), "Alice", password, "203.0.113.9", domain.MethodToken)
	wantLimited(t, err)
	if len(h.verified) != before {
		t.Error("a throttled login ran a password hash")
	}
	if _, err := v.Check(t.Context(), "bob", password, "198.51.100.1", domain.MethodToken); err != nil {
		t.Errorf("another account from the same addresses: %v", err)
	}
}

func TestIPv6ClientsShareTheirNetworksLimit(t *testing.T) {
	tests := []struct {
		name    string
		prefix  int
		tried   []string // two failures, from these addresses
		next    string
		limited bool
	}{
		{"same /64", 64, []string{"2001:db8::1", "2001:db8::2"}, "2001:db8::ffff:1", true},
		{"next /64", 64, []string{"2001:db8::1", "2001:db8::2"}, "2001:db8:0:1::1", false},
		{"same /48 when grouped by /48", 48, []string{"2001:db8::1", "2001:db8:0:1::1"}, "2001:db8:0:ffff::1", true},
		{"each /128 alone when grouped by /128", 128, []string{"2001:db8::1", "2001:db8::2"}, "2001:db8::3", false},
		{"IPv4 addresses count one by one", 64, []string{"192.0.2.1", "192.0.2.2"}, "192.0.2.3", false},
		{"an IPv4-mapped address is its IPv4 address", 64, []string{"192.0.2.1", "::ffff:192.0.2.1"}, "192.0.2.1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.signUp("alice")
			v, _, _ := throttled(e, app.Throttle{LoginIP: domain.Rate{Events: 2, Per: time.Minute}, IPv6Prefix: tt.prefix})
			for i, ip := range tt.tried {
				if _, err := v.Check(t.Context(), fmt.Sprintf("user%d", i), password, ip, domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
					t.Fatalf("failure from %s: %v", ip, err)
				}
			}
			_, err := v.Check(t.Context(), "alice", password, tt.next, domain.MethodToken)
			if got := isLimited(err); got != tt.limited {
				t.Errorf("login from %s after failures from %v: err = %v, limited %v, want %v", tt.next, tt.tried, err, got, tt.limited)
			}
		})
	}
}

// TestWrongOldPasswordsAreThrottled: the old password of a change is a login attempt, limited
// and audited as one, so a stolen token cannot guess it.
func TestWrongOldPasswordsAreThrottled(t *testing.T) {
	e := newEnv(t)
	alice := e.signUp("alice")
	_, a, h := throttled(e, app.DefaultThrottle())
	p := domain.Principal{User: alice, Method: domain.MethodToken, Token: &domain.Token{ID: "t1", UserID: alice.ID}}
	change := func(old string) error {
		_, err := a.ChangePassword(t.Context(), p, ports.PasswordChange{Old: old, New: newPassword, IP: "192.0.2.1"})
		return err
	}
	first := 0
	for i := range 12 {
		err := change(fmt.Sprintf("wrong-Password-%d", i))
		if isLimited(err) {
			first = i + 1
			break
		}
		onlyField(t, err, "old_password")
	}
	if first == 0 || first >= 12 {
		t.Fatalf("12 wrong old passwords: first 429 at attempt %d, want one before the twelfth", first)
	}
	verified := len(h.verified)
	if err := change(password); !isLimited(err) {
		t.Errorf("right old password after the guesses: %v, want 429", err)
	}
	if len(h.verified) != verified {
		t.Error("a throttled password change ran a password hash")
	}
	counts := map[domain.AuditEvent]int{}
	for _, ev := range e.audit.since(0) {
		counts[ev.Event]++
	}
	if counts[domain.AuditReauthFailed] != first-1 || counts[domain.AuditReauthThrottled] != 2 {
		t.Errorf("audit = %v, want %d reauth_failed and 2 reauth_throttled", counts, first-1)
	}
	if counts[domain.AuditPasswordChanged] != 0 {
		t.Error("the password changed")
	}
}

// TestAccountLimitSparesKnownNetworks: a stranger who spends the account-wide limit locks
// the owner out only of networks the owner has not logged in from lately.
func TestAccountLimitSparesKnownNetworks(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	v, _, _ := throttled(e, app.Throttle{LoginAccount: domain.Rate{Events: 3, Per: time.Hour}})
	const home = "2001:db8:aa::1"
	if _, err := v.Check(t.Context(), "alice", password, home, domain.MethodSession); err != nil {
		t.Fatalf("owner's login from home: %v", err)
	}
	for i := range 3 {
		ip := fmt.Sprintf("203.0.113.%d", i+1)
		if _, err := v.Check(t.Context(), "alice", "wrong-Password-1", ip, domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("stranger's guess %d: %v", i+1, err)
		}
	}
	_, err := v.Check(t.Context(), "alice", "wrong-Password-1", "203.0.113.99", domain.MethodToken)
	wantLimited(t, err)
	if _, err := v.Check(t.Context(), "alice", password, "2001:db8:aa::2", domain.MethodSession); err != nil {
		t.Errorf("owner from another address of the home /64: %v, want let in", err)
	}
	_, err = v.Check(t.Context(), "alice", password, "198.51.100.1", domain.MethodSession)
	wantLimited(t, err) // a network the owner never logged in from
	e.clock.Advance(31 * 24 * time.Hour)
	for i := range 3 {
		_, _ = v.Check(t.Context(), "alice", "wrong-Password-1", fmt.Sprintf("203.0.113.%d", i+1), domain.MethodToken)
	}
	_, err = v.Check(t.Context(), "alice", password, home, domain.MethodSession)
	wantLimited(t, err) // home is forgotten after 30 days without a login
}
