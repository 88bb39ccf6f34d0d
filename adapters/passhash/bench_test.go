package passhash_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// The benchmarks use the production parameters, so their ns/op is the cost of a login.

func BenchmarkHashDefault(b *testing.B) {
	h := newHasher(b, passhash.DefaultParams())
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h := newHasher(b, passhash.DefaultParams())
	encoded := hash(b, h, "correct horse battery staple")
	for b.Loop() {
		if ok, _ := h.Verify("correct horse battery staple", encoded); !ok {
			b.Fatal("Verify = false")
		}
	}
}

// BenchmarkVerifyWorstCase reports, family by family, a failed verification of the costliest
// hash the Limiter admits: what Calibrate measures, and so the floor failed logins are
// padded to.
func BenchmarkVerifyWorstCase(b *testing.B) {
	l := passhash.NewLimiter(newHasher(b, passhash.DefaultParams()), passhash.Foreign{}, 1, time.Minute)
	cases, err := l.WorstCases()
	if err != nil {
		b.Fatal(err)
	}
	for _, family := range slices.Sorted(maps.Keys(cases)) {
		b.Run(family, func(b *testing.B) {
			for b.Loop() {
				if ok, _, err := l.Verify(b.Context(), "not the password", cases[family]); ok || err != nil {
					b.Fatalf("Verify = %v, %v; want no match", ok, err)
				}
			}
		})
	}
}
