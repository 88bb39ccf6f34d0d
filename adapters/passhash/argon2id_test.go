package passhash_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// tiny keeps tests fast; it is far below the OWASP floor, which New allows.
var tiny = passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newHasher(tb testing.TB, p passhash.Params) *passhash.Argon2id {
	tb.Helper()
	h, err := passhash.New(p)
	if err != nil {
		tb.Fatalf("New(%+v): %v", p, err)
	}
	return h
}

func hash(tb testing.TB, h *passhash.Argon2id, password string) string {
	tb.Helper()
	encoded, err := h.Hash(password)
	if err != nil {
		tb.Fatalf("Hash(%q): %v", password, err)
	}
	return encoded
}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := newHasher(t, tiny)
	for _, password := range []string{
		"correct horse battery staple",
		"",
		"pässwörd-ünïcode-✓",
		"with$dollar,comma=equals",
		strings.Repeat("x", 4096),
	} {
		encoded := hash(t, h, password)
		if ok, rehash := h.Verify(password, encoded); !ok || rehash {
			t.Errorf("Verify(%.20q, %q) = %v, %v, want true, false", password, encoded, ok, rehash)
		}
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	h := newHasher(t, tiny)
	encoded := hash(t, h, "correct horse battery staple")
	for _, wrong := range []string{
		"correct horse battery staple!",
		"Correct horse battery staple",
		"correct horse battery stapl",
		"",
	} {
		if ok, rehash := h.Verify(wrong, encoded); ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, want false, false", wrong, ok, rehash)
		}
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	h := newHasher(t, tiny)
	a, b := hash(t, h, "password"), hash(t, h, "password")
	if a == b {
		t.Fatalf("two hashes of one password are equal: %q", a)
	}
	saltOf := func(s string) string { return strings.Split(s, "$")[4] }
	if saltOf(a) == saltOf(b) {
		t.Fatalf("two hashes share salt %q", saltOf(a))
	}
}

func TestHashFormat(t *testing.T) {
	tests := []struct {
		p    passhash.Params
		want string
	}{
		// 16-byte salt and 32-byte key are 22 and 43 unpadded base64 characters.
		{tiny, `^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`},
		{passhash.Params{Memory: 256, Time: 3, Threads: 4, SaltLen: 8, KeyLen: 16},
			`^\$argon2id\$v=19\$m=256,t=3,p=4\$[A-Za-z0-9+/]{11}\$[A-Za-z0-9+/]{22}$`},
	}
	for _, tt := range tests {
		encoded := hash(t, newHasher(t, tt.p), "password")
		if !regexp.MustCompile(tt.want).MatchString(encoded) {
			t.Errorf("Hash with %+v = %q, want match for %s", tt.p, encoded, tt.want)
		}
	}
}

func TestVerifyRehashWhenParamsDiffer(t *testing.T) {
	encoded := hash(t, newHasher(t, tiny), "password")
	with := func(f func(*passhash.Params)) passhash.Params {
		p := tiny
		f(&p)
		return p
	}
	tests := []struct {
		name string
		p    passhash.Params
	}{
		{"more memory", with(func(p *passhash.Params) { p.Memory = 128 })},
		{"less memory", with(func(p *passhash.Params) { p.Memory = 32 })},
		{"more passes", with(func(p *passhash.Params) { p.Time = 2 })},
		{"more threads", with(func(p *passhash.Params) { p.Threads = 2 })},
		{"longer key", with(func(p *passhash.Params) { p.KeyLen = 64 })},
		{"shorter key", with(func(p *passhash.Params) { p.KeyLen = 16 })},
		{"longer salt", with(func(p *passhash.Params) { p.SaltLen = 32 })},
		{"production", passhash.DefaultParams()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash := newHasher(t, tt.p).Verify("password", encoded)
			if !ok || !rehash {
				t.Fatalf("Verify = %v, %v, want true, true", ok, rehash)
			}
		})
	}
}

func TestVerifyNoRehashWhenParamsSame(t *testing.T) {
	encoded := hash(t, newHasher(t, tiny), "password")
	// A second hasher with equal params, as after a restart.
	if ok, rehash := newHasher(t, tiny).Verify("password", encoded); !ok || rehash {
		t.Fatalf("Verify = %v, %v, want true, false", ok, rehash)
	}
}

func TestVerifyWrongPasswordNeverAsksRehash(t *testing.T) {
	encoded := hash(t, newHasher(t, tiny), "password")
	if ok, rehash := newHasher(t, passhash.DefaultParams()).Verify("wrong", encoded); ok || rehash {
		t.Fatalf("Verify = %v, %v, want false, false", ok, rehash)
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHasher(t, tiny)
	encoded := hash(t, h, "password")
	t.Run("group", func(t *testing.T) {
		for i := range 8 {
			t.Run("", func(t *testing.T) {
				t.Parallel()
				if i%2 == 0 {
					hash(t, h, "password")
				}
				if ok, _ := h.Verify("password", encoded); !ok {
					t.Error("Verify = false under concurrent use")
				}
			})
		}
	})
}
