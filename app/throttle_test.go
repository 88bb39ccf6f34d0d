package app_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// throttled builds the use cases of e with throttle, counting every hash verification.
func throttled(e *env, throttle app.Throttle) (*app.Verifier, *app.Accounts, *recordingHasher) {
	h := &recordingHasher{PasswordHasher: e.port}
	v := app.NewVerifier(e.users, h, e.limiter, throttle, e.audit, app.LoginTiming{}, nil, nil)
	a := app.NewAccounts(e.users, e.sessions, e.tokens, h, v, e.clock, e.random, e.settings, e.limiter, throttle, e.audit, e.cache, e.codes, e.mailer, e.mfa)
	return v, a, h
}

func wantLimited(t *testing.T, err error) {
	t.Helper()
	var rl *domain.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("err = %v, want *domain.RateLimitedError with a wait", err)
	}
}

func TestFailedLoginsAreLimitedPerUserAndAddress(t *testing.T) {
	e := newEnv(t)
	e.signUp("alice")
	e.signUp("bob")
	v, _, h := throttled(e, app.Throttle{LoginUser: domain.Rate{Events: 3, Per: time.Minute}})
	for range 3 {
		if _, err := v.Check(t.Context(), "alice", "wrong-Password-1", "192.0.2.1", domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("failure under the limit: %v", err)
		}
	}
	before := len(h.verified)
	_, err := v.Check(t.Context(), "ALICE", password, "192.0.2.1", domain.MethodToken)
	wantLimited(t, err)
	if len(h.verified) != before {
		t.Error("a throttled login ran a password hash")
	}
	if _, err := v.Check(t.Context(), "alice", password, "192.0.2.2", domain.MethodToken); err != nil {
		t.Errorf("same user, other address: %v", err)
	}
	if _, err := v.Check(t.Context(), "bob", password, "192.0.2.1", domain.MethodToken); err != nil {
		t.Errorf("other user, same address: %v", err)
	}
	_, err = v.Check(t.Context(), "alice", password, "192.0.2.1", domain.MethodToken)
	wantLimited(t, err) // a success elsewhere reset nothing here
	e.clock.Advance(20 * time.Second)
	if _, err := v.Check(t.Context(), "alice", password, "192.0.2.1", domain.MethodToken); err != nil {
		t.Errorf("after one interval: %v", err)
	}
}

func TestFailedLoginsAreLimitedPerAddress(t *testing.T) {
	e := newEnv(t)
	e.signUp("carol")
	v, _, _ := throttled(e, app.Throttle{LoginIP: domain.Rate{Events: 2, Per: time.Minute}})
	for _, user := range []string{"nobody", "someone"} {
		if _, err := v.Check(t.Context(), user, password, "192.0.2.9", domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
			t.Fatalf("failure under the limit: %v", err)
		}
	}
	_, err := v.Check(t.Context(), "carol", password, "192.0.2.9", domain.MethodToken)
	wantLimited(t, err)
}

func TestSignupsAreLimitedPerAddress(t *testing.T) {
	e := newEnv(t)
	_, a, _ := throttled(e, app.Throttle{SignupIP: domain.Rate{Events: 2, Per: time.Hour}})
	for _, name := range []string{"one", "two"} {
		if _, err := a.SignUp(t.Context(), ports.SignUp{Username: name, Password: password, IP: "192.0.2.5"}); err != nil {
			t.Fatalf("SignUp(%s): %v", name, err)
		}
	}
	_, err := a.SignUp(t.Context(), ports.SignUp{Username: "three", Password: password, IP: "192.0.2.5"})
	wantLimited(t, err)
	if _, err := a.SignUp(t.Context(), ports.SignUp{Username: "four", Password: password, IP: "192.0.2.6"}); err != nil {
		t.Errorf("other address: %v", err)
	}
}

func TestBasicFailuresCountTowardsTheLimit(t *testing.T) {
	e := newEnv(t)
	e.signUp("dave")
	v, _, _ := throttled(e, app.Throttle{LoginUser: domain.Rate{Events: 1, Per: time.Minute}})
	chain := app.NewChain(defaultOrder, e.users, e.sessions, e.tokens, v, e.cache, e.clock, e.settings, e.mfa)
	creds := basicCreds("dave", "wrong-Password-2")
	creds.ClientIP = "192.0.2.3"
	if _, err := chain.Authenticate(t.Context(), creds); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("first failure: %v", err)
	}
	creds = basicCreds("dave", password)
	creds.ClientIP = "192.0.2.3"
	_, err := chain.Authenticate(t.Context(), creds)
	wantLimited(t, err)
}
