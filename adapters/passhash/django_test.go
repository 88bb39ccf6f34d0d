package passhash_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// djangoCases are hashes made by a real Django 3.2 make_password for known passwords.
func djangoCases(t *testing.T) []struct {
	Algorithm, Password, Encoded string
	WrongPassword                string `json:"wrong_password"`
} {
	t.Helper()
	raw, err := os.ReadFile("testdata/django-password-hashes.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Algorithm, Password, Encoded string
			WrongPassword                string `json:"wrong_password"`
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	return file.Cases
}

var weakAlgorithms = map[string]bool{"md5": true, "sha1": true, "unsalted_md5": true, "unsalted_sha1": true}

// TestDjangoVectors: every hash Django made verifies with its password and fails with the
// wrong one; weak ones only when allowed; unusable passwords never match.
func TestDjangoVectors(t *testing.T) {
	for _, c := range djangoCases(t) {
		t.Run(c.Algorithm+"/"+c.Password, func(t *testing.T) {
			t.Parallel()
			for _, allowWeak := range []bool{false, true} {
				f := passhash.Foreign{AllowWeak: allowWeak}
				want := c.Algorithm != "unusable" && (allowWeak || !weakAlgorithms[c.Algorithm])
				if ok, _ := f.Verify(c.Password, c.Encoded); ok != want {
					t.Errorf("AllowWeak=%v: Verify(right password) = %v, want %v", allowWeak, ok, want)
				}
				// bcrypt reads only the first 72 bytes of a password, in Django as here, so a
				// wrong password that shares them matches a plain bcrypt hash (bcrypt_sha256
				// exists for this reason). No verifier can tell them apart.
				sameFor72 := len(c.Password) > 72 && len(c.WrongPassword) > 72 && c.Password[:72] == c.WrongPassword[:72]
				if ok, _ := f.Verify(c.WrongPassword, c.Encoded); ok && !(c.Algorithm == "bcrypt" && sameFor72) {
					t.Errorf("AllowWeak=%v: the wrong password matched", allowWeak)
				}
			}
		})
	}
}

// TestForeignMatchesAreRehashed: through the port, a Django hash that matches asks to be
// replaced by argon2id.
func TestForeignMatchesAreRehashed(t *testing.T) {
	h, err := passhash.New(passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	l := passhash.NewLimiter(h, passhash.Foreign{}, 2, time.Minute)
	for _, c := range djangoCases(t) {
		if c.Algorithm != "pbkdf2_sha256" {
			continue
		}
		ok, rehash, err := l.Verify(t.Context(), c.Password, c.Encoded)
		if !ok || !rehash || err != nil {
			t.Errorf("Verify(%s) = %v, %v, %v; want a match to re-hash", c.Algorithm, ok, rehash, err)
		}
		return
	}
	t.Fatal("no pbkdf2_sha256 vector")
}

// TestHostileForeignHashesFailFast: malformed or absurdly expensive strings are refused
// before any hashing.
func TestHostileForeignHashesFailFast(t *testing.T) {
	for _, encoded := range []string{
		"",
		"pbkdf2_sha256",
		"pbkdf2_sha256$$salt$aGFzaA==",
		"pbkdf2_sha256$0$salt$aGFzaA==",
		"pbkdf2_sha256$-5$salt$aGFzaA==",
		"pbkdf2_sha256$999999999$salt$aGFzaA==",
		"pbkdf2_sha256$260000$$aGFzaA==",
		"pbkdf2_sha256$260000$salt$not base64!",
		"pbkdf2_sha256$260000$salt$aGFzaA==$extra",
		"bcrypt$$2b$31$" + strings.Repeat("a", 53),
		"bcrypt$$2b$12$short",
		"bcrypt_sha256$garbage",
		"argon2$argon2id$v=19$m=4194304,t=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		"argon2$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		"sha512$salt$abc",
		"md5$salt$" + strings.Repeat("0", 32),
		"!unusable",
	} {
		start := time.Now()
		if ok, _ := (passhash.Foreign{}).Verify("password", encoded); ok {
			t.Errorf("Verify(%q) matched", encoded)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Verify(%q) took %v", encoded, d)
		}
	}
}

// TestDjangoDefaultArgon2PassesTheLimiter: a hash at Django's default argon2 parameters
// (m=102400 KiB, t=2, p=8) fits the default memory budget and verifies through the port.
func TestDjangoDefaultArgon2PassesTheLimiter(t *testing.T) {
	l := passhash.NewLimiter(newHasher(t, tiny), passhash.Foreign{}, 1, time.Minute)
	for _, c := range djangoCases(t) {
		if c.Algorithm != "argon2" {
			continue
		}
		if !strings.Contains(c.Encoded, "$m=102400,t=2,p=8$") {
			t.Fatalf("fixture %q is not at Django's defaults", c.Encoded[:40])
		}
		ok, rehash, err := l.Verify(t.Context(), c.Password, c.Encoded)
		if !ok || !rehash || err != nil {
			t.Errorf("Verify = %v, %v, %v; want a match to re-hash", ok, rehash, err)
		}
		return
	}
	t.Fatal("no argon2 vector")
}
