package passhash_test

import (
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
