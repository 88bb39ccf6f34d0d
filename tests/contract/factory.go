package contract

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/ports"
)

// Factory makes the stores of one adapter for the suite. Each function is called once per
// case and returns a fresh, empty store; the adapter's test arranges the isolation (a fresh
// database, a flushed keyspace) and any cleanup, with t.Cleanup. A nil function means the
// adapter does not implement that port, and the port's cases are skipped.
type Factory struct {
	// Name labels the adapter in test names, such as "memory" or "mysql".
	Name     string
	Users    func(t *testing.T) ports.UserStore
	Sessions func(t *testing.T, clock ports.Clock) ports.SessionStore
	Tokens   func(t *testing.T, clock ports.Clock) ports.TokenStore
	Codes    func(t *testing.T, clock ports.Clock) ports.CodeStore
	// Factors returns a factor store; the first FactorStore case needs one in which no
	// earlier case put a factor (a fresh backend for the run, as the adapters' tests make).
	Factors func(t *testing.T) ports.FactorStore
	// Passkeys returns a passkey store and the factor store of the same backend, whose
	// DeleteUserFactors removes passkeys too (one value may be both).
	Passkeys func(t *testing.T) (ports.PasskeyStore, ports.FactorStore)
	// RateLimiter returns a limiter that judges time by clock; keys are the cases' own, so
	// it may share its backend with every other case.
	RateLimiter func(t *testing.T, clock ports.Clock) ports.RateLimiter

	// ExactExpiry says the store decides expiry by the clock it is given, as the memory and
	// MySQL stores do. The suite then starts that clock at Start and checks expiry at the
	// exact deadline: live one microsecond before ExpiresAt, gone at ExpiresAt.
	//
	// False means the store expires items by its server's own clock (Redis PEXPIREAT), which a
	// fake clock cannot move. The suite then sets the clock to the real time, truncated to the
	// microsecond, so the items it creates are live by the server's clock too; it still checks
	// that an item whose ExpiresAt has passed is never returned, listed, touched, revoked or
	// counted, but skips the cases that need time to move: the exact deadline, sliding past
	// the old deadline, and a token without expiry a century on.
	ExactExpiry bool
}

// Run runs the cases of every port f has a store for, as subtests named after f.Name.
func Run(t *testing.T, f Factory) {
	if f.Name == "" {
		t.Fatal("contract.Factory.Name is empty")
	}
	t.Run(f.Name, func(t *testing.T) {
		t.Run("UserStore", func(t *testing.T) { RunUserStore(t, f) })
		t.Run("SessionStore", func(t *testing.T) { RunSessionStore(t, f) })
		t.Run("TokenStore", func(t *testing.T) { RunTokenStore(t, f) })
		t.Run("CodeStore", func(t *testing.T) { RunCodeStore(t, f) })
		t.Run("FactorStore", func(t *testing.T) { RunFactorStore(t, f) })
		t.Run("PasskeyStore", func(t *testing.T) { RunPasskeyStore(t, f) })
		t.Run("RateLimiter", func(t *testing.T) { RunRateLimiter(t, f) })
	})
}

// clockFor returns the clock for one case: at Start for a store with exact expiry, at the
// real time otherwise (see Factory.ExactExpiry).
func clockFor(f Factory) *Clock {
	c := NewClock()
	if !f.ExactExpiry {
		c.Set(time.Now().Truncate(time.Microsecond))
	}
	return c
}

// skipUnlessExact skips a case that moves time past a deadline when f's store expires items
// by its own server clock.
func skipUnlessExact(t *testing.T, f Factory) {
	t.Helper()
	if !f.ExactExpiry {
		t.Skipf("%s expires items by its server's clock (ExactExpiry is false), which the fake clock cannot move; "+
			"the case \"already expired\" covers expiry for it", f.Name)
	}
}
