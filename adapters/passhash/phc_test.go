package passhash_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

var b64 = base64.RawStdEncoding

// knownAnswer builds a PHC string by hand from argon2.IDKey with a fixed salt, so tests of
// Verify do not depend on Hash or on the package's encoder.
func knownAnswer(password string, salt []byte, m, t uint32, p uint8, keyLen uint32) string {
	key := argon2.IDKey([]byte(password), salt, t, m, p, keyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func TestVerifyKnownAnswer(t *testing.T) {
	salt := []byte("fixed-salt-16byt")
	encoded := knownAnswer("password", salt, 64, 1, 1, 32)
	if want := "$argon2id$v=19$m=64,t=1,p=1$Zml4ZWQtc2FsdC0xNmJ5dA$"; !strings.HasPrefix(encoded, want) {
		t.Fatalf("known answer %q does not start with %q", encoded, want)
	}
	h := newHasher(t, tiny)
	if ok, rehash := h.Verify("password", encoded); !ok || rehash {
		t.Fatalf("Verify(known answer) = %v, %v, want true, false", ok, rehash)
	}
	if ok, _ := h.Verify("Password", encoded); ok {
		t.Fatal("Verify(wrong password, known answer) = true")
	}
}

// Hashes written by Django 3.2's Argon2PasswordHasher (argon2-cffi, i.e. the reference C
// implementation), from /work/shared/fixtures/django-password-hashes.json with Django's
// "argon2" prefix removed. They check interoperability with an independent implementation.
func TestVerifyDjangoArgon2Vectors(t *testing.T) {
	if testing.Short() {
		t.Skip("m=100 MiB, p=8 vectors are slow")
	}
	tests := []struct{ password, encoded string }{
		{"correct horse battery staple", "$argon2id$v=19$m=102400,t=2,p=8$NkxQcUU1ZHJ4YlVUSUZ5bGNGN0FMMg$V3gCFEn2p54DbDHw0oOuow"},
		{"pässwörd-ünïcode-✓", "$argon2id$v=19$m=102400,t=2,p=8$bmhlanFjNDZBWTkyQ090R1NRTUtiYg$pYAHCmcWlWi2EcZBkOhkZg"},
	}
	h := newHasher(t, passhash.DefaultParams())
	for _, tt := range tests {
		if ok, rehash := h.Verify(tt.password, tt.encoded); !ok || !rehash {
			t.Errorf("Verify(%q, %q) = %v, %v, want true, true", tt.password, tt.encoded, ok, rehash)
		}
	}
	// One wrong password is enough: each run allocates 100 MiB.
	if ok, _ := h.Verify(tests[0].password+"!", tests[0].encoded); ok {
		t.Errorf("Verify(%q, %q) = true", tests[0].password+"!", tests[0].encoded)
	}
}

func TestVerifyMalformed(t *testing.T) {
	const password = "password"
	salt := []byte("fixed-salt-16byt")
	valid := knownAnswer(password, salt, 64, 1, 1, 32)
	fields := strings.Split(valid, "$") // "", "argon2id", "v=19", "m=64,t=1,p=1", salt, hash
	s, k := fields[4], fields[5]
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"dollar only", "$"},
		{"argon2i", join("", "argon2i", "v=19", "m=64,t=1,p=1", s, k)},
		{"argon2d", join("", "argon2d", "v=19", "m=64,t=1,p=1", s, k)},
		{"upper-case id", join("", "ARGON2ID", "v=19", "m=64,t=1,p=1", s, k)},
		{"django prefix", "argon2" + valid},
		{"version 16", join("", "argon2id", "v=16", "m=64,t=1,p=1", s, k)},
		{"version 019", join("", "argon2id", "v=019", "m=64,t=1,p=1", s, k)},
		{"no version", join("", "argon2id", "m=64,t=1,p=1", s, k)},
		{"no params", join("", "argon2id", "v=19", s, k)},
		{"no salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", k)},
		{"no hash", join("", "argon2id", "v=19", "m=64,t=1,p=1", s)},
		{"empty hash", join("", "argon2id", "v=19", "m=64,t=1,p=1", s, "")},
		{"missing p", join("", "argon2id", "v=19", "m=64,t=1", s, k)},
		{"params out of order", join("", "argon2id", "v=19", "t=1,m=64,p=1", s, k)},
		{"extra param", join("", "argon2id", "v=19", "m=64,t=1,p=1,keyid=abc", s, k)},
		{"extra field", join(valid, "extra")},
		{"trailing dollar", valid + "$"},
		{"leading space", " " + valid},
		{"trailing newline", valid + "\n"},
		{"non-numeric m", join("", "argon2id", "v=19", "m=abc,t=1,p=1", s, k)},
		{"empty m", join("", "argon2id", "v=19", "m=,t=1,p=1", s, k)},
		{"signed m", join("", "argon2id", "v=19", "m=+64,t=1,p=1", s, k)},
		{"leading zero m", join("", "argon2id", "v=19", "m=064,t=1,p=1", s, k)},
		{"m over 4 GiB", join("", "argon2id", "v=19", "m=4194305,t=1,p=1", s, k)},
		{"m overflows uint32", join("", "argon2id", "v=19", "m=4294967360,t=1,p=1", s, k)},
		{"m overflows uint64", join("", "argon2id", "v=19", "m=99999999999999999999,t=1,p=1", s, k)},
		{"m below 8p", join("", "argon2id", "v=19", "m=15,t=1,p=2", s, k)},
		{"t=0", join("", "argon2id", "v=19", "m=64,t=0,p=1", s, k)},
		{"t=65", join("", "argon2id", "v=19", "m=64,t=65,p=1", s, k)},
		{"huge m and t", join("", "argon2id", "v=19", "m=4294967295,t=4294967295,p=255", s, k)},
		{"p=0", join("", "argon2id", "v=19", "m=64,t=1,p=0", s, k)},
		{"p=256", join("", "argon2id", "v=19", "m=4096,t=1,p=256", s, k)},
		{"bad base64 salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", "!!!!!!!!!!!!", k)},
		{"bad base64 hash", join("", "argon2id", "v=19", "m=64,t=1,p=1", s, "%%"+k[2:])},
		{"url base64 hash", join("", "argon2id", "v=19", "m=64,t=1,p=1", s, strings.NewReplacer("+", "-", "/", "_").Replace(k)+"-_")},
		{"padded salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", base64.StdEncoding.EncodeToString(salt), k)},
		{"newline in salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", s[:8]+"\n"+s[8:], k)},
		{"non-canonical salt bits", join("", "argon2id", "v=19", "m=64,t=1,p=1", s[:len(s)-1]+"B", k)},
		{"salt under 8 bytes", join("", "argon2id", "v=19", "m=64,t=1,p=1", b64.EncodeToString([]byte("1234567")), k)},
		{"hash under 4 bytes", join("", "argon2id", "v=19", "m=64,t=1,p=1", s, "AAAA")},
		{"salt over 1 KiB", join("", "argon2id", "v=19", "m=64,t=1,p=1", b64.EncodeToString(make([]byte, 1025)), k)},
		{"very long", valid + strings.Repeat("A", 1<<20)},
		{"truncated hash", valid[:len(valid)-4]},
		{"truncated in params", valid[:len("$argon2id$v=19$m=6")]},
	}
	h := newHasher(t, tiny)
	if ok, _ := h.Verify(password, valid); !ok {
		t.Fatalf("Verify(%q) = false for the unmodified string", valid)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			ok, rehash := h.Verify(password, tt.encoded)
			if ok || rehash {
				t.Errorf("Verify(%.80q) = %v, %v, want false, false", tt.encoded, ok, rehash)
			}
			// Rejected before argon2 runs: a hostile cost must not cost us.
			if d := time.Since(start); d > time.Second {
				t.Errorf("Verify(%.80q) took %v", tt.encoded, d)
			}
		})
	}
}

// FuzzVerify checks that Verify never panics, that the parser never lets through parameters
// outside its bounds (which is what keeps a hostile m or t from running a long hash), and
// that every string it accepts is canonical: re-encoding gives the same string back.
func FuzzVerify(f *testing.F) {
	salt := []byte("fixed-salt-16byt")
	valid := knownAnswer("password", salt, 64, 1, 1, 32)
	for _, seed := range []string{
		valid,
		"",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"$argon2id$v=19$m=4194305,t=1,p=1$Zml4ZWQtc2FsdC0xNmJ5dA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=4294967295,p=0$Zml4ZWQtc2FsdC0xNmJ5dA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2i$v=19$m=64,t=1,p=1$Zml4ZWQtc2FsdC0xNmJ5dA$AAAAAAAAAAAAAAAAAAAAAA",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$NkxQcUU1ZHJ4YlVUSUZ5bGNGN0FMMg$V3gCFEn2p54DbDHw0oOuow",
	} {
		f.Add("password", seed)
	}
	h := newHasher(f, tiny)
	f.Fuzz(func(t *testing.T, password, encoded string) {
		p, salt, key, parsed := passhash.ParsePHC(encoded)
		if parsed {
			if p.Memory > 4<<20 || p.Time < 1 || p.Time > 64 || p.Threads < 1 ||
				p.Memory < 8*uint32(p.Threads) || p.SaltLen < 8 || p.SaltLen > 1024 ||
				p.KeyLen < 4 || p.KeyLen > 1024 {
				t.Fatalf("ParsePHC(%q) accepted out-of-bounds %+v", encoded, p)
			}
			if again := passhash.EncodePHC(p, salt, key); again != encoded {
				t.Fatalf("ParsePHC accepted non-canonical %q (canonical %q)", encoded, again)
			}
			// Valid but costly parameters are legitimate, and slow by design: the bound
			// above is what caps them. Keep the fuzzer fast.
			if uint64(p.Memory)*uint64(p.Time) > 1<<14 {
				return
			}
		}
		ok, rehash := h.Verify(password, encoded)
		if !parsed && (ok || rehash) {
			t.Fatalf("Verify(%q, %q) = %v, %v for a string the parser rejects", password, encoded, ok, rehash)
		}
		if rehash && !ok {
			t.Fatalf("Verify(%q, %q) asked for rehash of a non-match", password, encoded)
		}
	})
}
