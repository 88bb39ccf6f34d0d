package contract_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/ports"
	"github.com/gatehouse/gatehouse/tests/contract"
)

// TestMeasuredMemstore runs the suite over the memory stores behind their metrics
// decorators, which must pass every call and answer through unchanged.
func TestMeasuredMemstore(t *testing.T) {
	m := prommetrics.New()
	mem := memory()
	contract.Run(t, contract.Factory{
		Name:  "memory measured",
		Users: func(t *testing.T) ports.UserStore { return m.UserStore(mem.Users(t), "memory") },
		Sessions: func(t *testing.T, clock ports.Clock) ports.SessionStore {
			return m.SessionStore(mem.Sessions(t, clock), "memory")
		},
		Tokens: func(t *testing.T, clock ports.Clock) ports.TokenStore {
			return m.TokenStore(mem.Tokens(t, clock), "memory")
		},
		Codes: func(t *testing.T, clock ports.Clock) ports.CodeStore {
			return m.CodeStore(mem.Codes(t, clock), "memory")
		},
		Factors: func(t *testing.T) ports.FactorStore { return m.FactorStore(mem.Factors(t), "memory") },
		Passkeys: func(t *testing.T) (ports.PasskeyStore, ports.FactorStore) {
			passkeys, factors := mem.Passkeys(t)
			return m.PasskeyStore(passkeys, "memory"), m.FactorStore(factors, "memory")
		},
		RateLimiter: func(t *testing.T, clock ports.Clock) ports.RateLimiter {
			return m.RateLimiter(mem.RateLimiter(t, clock), "memory")
		},
		ExactExpiry: true,
	})
}
