package passhash_test

import (
	"testing"

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
