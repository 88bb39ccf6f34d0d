package memstore

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// TestIndexAgainstAMap drives an index with hashes that collide on purpose (few distinct
// values, so probe runs are long and wrap around the end) through random adds and removes,
// and checks every slot is found exactly when a map says it is present.
func TestIndexAgainstAMap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hashes uint64 // distinct hash values
		slots  int
	}{
		{"all collide", 1, 50},
		{"few hashes", 7, 300},
		{"spread", 1 << 40, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			hashOf := func(s slot) uint64 {
				return (uint64(s)*0x9e3779b97f4a7c15 ^ 0xdeadbeef) % tc.hashes * 0x9e3779b97f4a7c15
			}
			var x index
			in := map[slot]bool{}
			for range 20 * tc.slots {
				s := slot(rng.IntN(tc.slots))
				if in[s] {
					x.remove(hashOf(s), s, hashOf)
					delete(in, s)
				} else {
					x.add(hashOf(s), s, hashOf)
					in[s] = true
				}
			}
			if x.n != len(in) {
				t.Errorf("n = %d, want %d", x.n, len(in))
			}
			for s := range slot(tc.slots) {
				got, ok := x.find(hashOf(s), func(q slot) bool { return q == s })
				if ok != in[s] || ok && got != s {
					t.Fatalf("find(%d) = %d, %v; present: %v", s, got, ok, in[s])
				}
			}
		})
	}
}

// TestTableReusesSlotsAndStrings checks removed records, and refused ones, give back their
// slots and their interned strings, so churn does not grow a store.
func TestTableReusesSlotsAndStrings(t *testing.T) {
	s := NewTokenStore(fixedClock{})
	ids := []string{"a", "b", "c"}
	for round := range 3 {
		for i, id := range ids {
			tok := testToken(id, 1)
			tok.Name = []string{"laptop", "phone", "tablet"}[(i+round)%3]
			if err := s.CreateToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DeleteUserTokens(t.Context(), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	if s.t.used != 3 {
		t.Errorf("%d slots handed out for three tokens at a time, want 3", s.t.used)
	}
	if n := len(s.t.strs.ids); n != 0 {
		t.Errorf("%d names still interned with no token, want 0", n)
	}
	if err := s.CreateToken(t.Context(), testToken("a", 1)); err != nil {
		t.Fatal(err)
	}
	dup := testToken("a", 1)
	dup.Name = "refused"
	if err := s.CreateToken(t.Context(), dup); err == nil {
		t.Fatal("a duplicate token was stored")
	}
	if n := len(s.t.strs.ids); n != 1 {
		t.Errorf("%d names interned for one token after a refused duplicate, want 1", n)
	}
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC) }

func testToken(id string, user domain.UserID) domain.Token {
	now := fixedClock{}.Now()
	return domain.Token{ID: id, UserID: user, SecretHash: domain.HashSecret("secret of " + id), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
}
