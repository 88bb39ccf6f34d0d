package passhash_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// TestCheckAcceptsEveryDjangoVector: whatever a real Django wrote, weak hashers included,
// passes the import check.
func TestCheckAcceptsEveryDjangoVector(t *testing.T) {
	for _, c := range djangoCases(t) {
		if err := passhash.Check(c.Encoded); err != nil {
			t.Errorf("Check(%s hash) = %v, want nil", c.Algorithm, err)
		}
	}
	h, err := passhash.New(tiny)
	if err != nil {
		t.Fatal(err)
	}
	own, err := h.Hash("password")
	if err != nil {
		t.Fatal(err)
	}
	if err := passhash.Check(own); err != nil {
		t.Errorf("Check(argon2id hash) = %v, want nil", err)
	}
}

// TestCheckRejectsHostileHashes: every string Verify refuses to run is refused at import with
// ErrMalformedHash, and the message does not repeat the string.
func TestCheckRejectsHostileHashes(t *testing.T) {
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"algorithm only", "pbkdf2_sha256"},
		{"no iterations", "pbkdf2_sha256$$salt$aGFzaA=="},
		{"zero iterations", "pbkdf2_sha256$0$salt$aGFzaA=="},
		{"negative iterations", "pbkdf2_sha256$-5$salt$aGFzaA=="},
		{"iterations above bound", "pbkdf2_sha256$999999999$salt$aGFzaA=="},
		{"leading zero", "pbkdf2_sha256$0260000$salt$aGFzaA=="},
		{"empty salt", "pbkdf2_sha256$260000$$aGFzaA=="},
		{"hash not base64", "pbkdf2_sha256$260000$salt$not base64!"},
		{"extra field", "pbkdf2_sha256$260000$salt$aGFzaA==$extra"},
		{"bcrypt cost 31", "bcrypt$$2b$31$" + strings.Repeat("a", 53)},
		{"bcrypt too short", "bcrypt$$2b$12$short"},
		{"bcrypt bad alphabet", "bcrypt$$2b$12$" + strings.Repeat("!", 53)},
		{"bcrypt_sha256 garbage", "bcrypt_sha256$garbage"},
		{"argon2 memory bomb", "argon2$argon2id$v=19$m=4194304,t=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"argon2i", "argon2$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"native argon2id bomb", "$argon2id$v=19$m=4194304,t=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"unknown algorithm", "sha512$salt$abc"},
		{"md5 digest not hex", "md5$salt$" + strings.Repeat("z", 32)},
		{"md5 digest too short", "md5$salt$abc"},
		{"sha1 digest of md5 length", "sha1$salt$" + strings.Repeat("0", 32)},
		{"bare hex of wrong length", strings.Repeat("0", 31)},
		{"plain text password", "hunter2"},
		// Django's defaults are the bounds: past them, every failed login would pay more.
		{"pbkdf2 past 1,200,000 iterations", "pbkdf2_sha256$1200001$salt$" + b64of(32)},
		{"pbkdf2_sha1 past 1,200,000 iterations", "pbkdf2_sha1$1200001$salt$" + b64of(20)},
		{"pbkdf2_sha256 key longer than the digest", "pbkdf2_sha256$1000$salt$" + b64of(64)},
		{"pbkdf2_sha1 key of 64 bytes", "pbkdf2_sha1$1000$salt$" + b64of(64)},
		{"pbkdf2_sha256 key shorter than the digest", "pbkdf2_sha256$1000$salt$" + b64of(16)},
		{"bcrypt cost 13", "bcrypt$$2b$13$" + strings.Repeat("a", 53)},
		{"bcrypt_sha256 cost 13", "bcrypt_sha256$$2b$13$" + strings.Repeat("a", 53)},
		{"argon2 of 1 GiB", "argon2$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"argon2 past 102400 KiB", "argon2$argon2id$v=19$m=102401,t=1,p=8$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"argon2 past Django's m·t", "argon2$argon2id$v=19$m=102400,t=3,p=8$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"argon2 past 8 lanes", "argon2$argon2id$v=19$m=102400,t=2,p=9$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"native argon2id past 102400 KiB", "$argon2id$v=19$m=262144,t=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"},
		{"native argon2id past Django's m·t", "$argon2id$v=19$m=102400,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := passhash.Check(tt.encoded)
			if !errors.Is(err, passhash.ErrMalformedHash) {
				t.Fatalf("Check(%q) = %v, want ErrMalformedHash", tt.encoded, err)
			}
			if len(tt.encoded) > len("pbkdf2_sha256") && strings.Contains(err.Error(), tt.encoded) {
				t.Errorf("error %q repeats the hash", err)
			}
			if ok, _ := (passhash.Foreign{AllowWeak: true}).Verify("password", tt.encoded); ok {
				t.Errorf("Verify(%q) matched", tt.encoded)
			}
		})
	}
}

// b64of returns n bytes in padded standard base64, as Django writes PBKDF2 hashes.
func b64of(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }

// TestCheckAcceptsDjangoDefaults: the bounds admit what Django writes by default, and the
// same work spent otherwise.
func TestCheckAcceptsDjangoDefaults(t *testing.T) {
	for _, encoded := range []string{
		"pbkdf2_sha256$1200000$salt$" + b64of(32),
		"pbkdf2_sha1$1200000$salt$" + b64of(20),
		"bcrypt$$2b$12$" + strings.Repeat("a", 53),
		"bcrypt_sha256$$2b$12$" + strings.Repeat("a", 53),
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$aGFzaGhhc2g",
		"argon2$argon2id$v=19$m=51200,t=4,p=8$c2FsdHNhbHQ$aGFzaGhhc2g",
		"argon2$argon2id$v=19$m=512,t=2,p=2$c2FsdHNhbHQ$aGFzaGhhc2g", // Django 1.10 to 3.1's parameters
	} {
		if err := passhash.Check(encoded); err != nil {
			t.Errorf("Check(%q) = %v, want nil", encoded, err)
		}
	}
}

func TestCheckAcceptsUnusableAndWeakForms(t *testing.T) {
	for _, encoded := range []string{
		"!HoIbDsXmeyByySeUvc9pb8zoVjTLP",
		"!",
		"md5$$" + strings.Repeat("0", 32),
		"sha1$salt$" + strings.Repeat("a", 40),
		strings.Repeat("A", 32),
	} {
		if err := passhash.Check(encoded); err != nil {
			t.Errorf("Check(%q) = %v, want nil", encoded, err)
		}
	}
}
