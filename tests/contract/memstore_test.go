package contract_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/ports"
	"github.com/gatehouse/gatehouse/tests/contract"
)

// memory returns the Factory of the memory stores and rate limiter, which expire items by the
// clock they are given.
func memory() contract.Factory {
	return contract.Factory{
		Name:     "memory",
		Users:    func(*testing.T) ports.UserStore { return memstore.NewUserStore() },
		Sessions: func(_ *testing.T, clock ports.Clock) ports.SessionStore { return memstore.NewSessionStore(clock) },
		Tokens:   func(_ *testing.T, clock ports.Clock) ports.TokenStore { return memstore.NewTokenStore(clock) },
		Codes:    func(_ *testing.T, clock ports.Clock) ports.CodeStore { return memstore.NewCodeStore(clock) },
		Factors:  func(*testing.T) ports.FactorStore { return memstore.NewFactorStore() },
		Passkeys: func(*testing.T) (ports.PasskeyStore, ports.FactorStore) {
			s := memstore.NewFactorStore()
			return s, s
		},
		RateLimiter: func(_ *testing.T, clock ports.Clock) ports.RateLimiter {
			return memstore.NewRateLimiter(clock)
		},

		ExactExpiry: true,
	}
}

func TestMemstore(t *testing.T) {
	contract.Run(t, memory())
}

// TestMemstoreAsServerClock runs the suite as it runs for a store that expires items by its
// server's clock, such as Redis: the memory stores pass that way too, and the suite's paths
// for ExactExpiry false keep working before such an adapter exists.
func TestMemstoreAsServerClock(t *testing.T) {
	f := memory()
	f.Name, f.ExactExpiry = "memory with a real-time clock", false
	contract.Run(t, f)
}

// TestMemstoreSharedUserStore hands every case one user store, as an adapter test that keeps
// one database for the whole run would: the cases must not see each other's users.
func TestMemstoreSharedUserStore(t *testing.T) {
	shared := memstore.NewUserStore()
	contract.RunUserStore(t, contract.Factory{
		Name:  "one memory user store for all cases",
		Users: func(*testing.T) ports.UserStore { return shared },
	})
}
