package app_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// benchVerifier is a Verifier with production argon2id parameters over a memory store
// holding one user, with throttling off.
func benchVerifier(b *testing.B) *app.Verifier {
	b.Helper()
	h, err := passhash.New(passhash.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	hasher := passhash.NewLimiter(h, passhash.Foreign{}, 1, time.Minute)
	users := memstore.NewUserStore()
	hash, err := h.Hash(password)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := users.CreateUser(b.Context(), domain.User{Username: "known", PasswordHash: hash, IsActive: true}); err != nil {
		b.Fatal(err)
	}
	v := app.NewVerifier(users, hasher, memstore.NewRateLimiter(&fakeClock{now: t0}), app.Throttle{}, &auditLog{})
	// Make the dummy hash before timing, as a running server has.
	_, _ = v.Check(b.Context(), "warm-up", password, "192.0.2.1", domain.MethodToken)
	return v
}

// BenchmarkLoginUnknownUser and BenchmarkLoginWrongPassword are compared by their medians
// (go test -bench Login -count 10, then benchstat): an unknown user must cost what a wrong
// password costs, or response times reveal which accounts exist.
func BenchmarkLoginUnknownUser(b *testing.B) {
	v := benchVerifier(b)
	for b.Loop() {
		_, _ = v.Check(b.Context(), "nobody-here", "wrong-Password-1", "192.0.2.1", domain.MethodToken)
	}
}

func BenchmarkLoginWrongPassword(b *testing.B) {
	v := benchVerifier(b)
	for b.Loop() {
		_, _ = v.Check(b.Context(), "known", "wrong-Password-1", "192.0.2.1", domain.MethodToken)
	}
}
