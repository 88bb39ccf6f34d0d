package domain_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Secret lengths: the 4-byte prefix, 43 base62 characters of 256 random bits and 6 of CRC32.
const (
	secretLen     = 53
	secretBodyEnd = 4 + 43
)

// TestEncodeSecretMatchesGoldenValues pins the wire format. The values were checked against an
// independent Python implementation; a change here would make every issued secret invalid.
func TestEncodeSecretMatchesGoldenValues(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		random [domain.SecretBytes]byte
		want   string
	}{
		{"token, all zero", domain.TokenPrefix, filled(0x00), "gth_00000000000000000000000000000000000000000002hwiGj"},
		{"token, all 0xff", domain.TokenPrefix, filled(0xff), "gth_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp11229yH"},
		{"token, sequence", domain.TokenPrefix, sequence(0), "gth_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf3UixeX"},
		{"session, sequence", domain.SessionPrefix, sequence(0), "gts_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf30DCsb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.EncodeSecret(tt.prefix, tt.random); got != tt.want {
				t.Errorf("EncodeSecret = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeSecretHasPrefixLengthAndAlphabet(t *testing.T) {
	randoms := map[string][domain.SecretBytes]byte{
		"all zero": filled(0x00), "all 0xff": filled(0xff), "sequence": sequence(0), "high sequence": sequence(0xe0),
	}
	for _, prefix := range []string{domain.TokenPrefix, domain.SessionPrefix} {
		for name, random := range randoms {
			t.Run(prefix+name, func(t *testing.T) {
				s := domain.EncodeSecret(prefix, random)
				if !strings.HasPrefix(s, prefix) {
					t.Errorf("%q lacks prefix %q", s, prefix)
				}
				if len(s) != secretLen {
					t.Errorf("len(%q) = %d, want %d", s, len(s), secretLen)
				}
				if i := strings.IndexFunc(s[len(prefix):], func(r rune) bool { return !strings.ContainsRune(base62Alphabet, r) }); i >= 0 {
					t.Errorf("%q has a non-base62 character after the prefix at %d", s, len(prefix)+i)
				}
				if again := domain.EncodeSecret(prefix, random); again != s {
					t.Errorf("second encoding = %q, want %q again", again, s)
				}
			})
		}
	}
}

func TestEncodeSecretDiffersForDifferentBytes(t *testing.T) {
	a := sequence(0)
	b := a
	b[domain.SecretBytes-1] ^= 1
	if sa, sb := domain.EncodeSecret(domain.TokenPrefix, a), domain.EncodeSecret(domain.TokenPrefix, b); sa == sb {
		t.Errorf("bytes differing in one bit both encode to %q", sa)
	}
}

func TestValidTokenSecretAcceptsEncodedTokens(t *testing.T) {
	for _, random := range [][domain.SecretBytes]byte{filled(0x00), filled(0xff), sequence(0), sequence(0x80)} {
		s := domain.EncodeSecret(domain.TokenPrefix, random)
		if !domain.ValidTokenSecret(s) {
			t.Errorf("ValidTokenSecret(%q) = false, want true", s)
		}
		if domain.ValidSessionSecret(s) {
			t.Errorf("ValidSessionSecret(%q) = true for a token, want false", s)
		}
	}
}

func TestValidDRFKey(t *testing.T) {
	key := "67247232892946d8a7969f0d2c148bb5e05965ba" // written by Django REST Framework
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"DRF key", key, true},
		{"all zeros", strings.Repeat("0", 40), true},
		{"all f", strings.Repeat("f", 40), true},
		{"empty", "", false},
		{"one character short", key[:39], false},
		{"one character long", key + "a", false},
		{"upper-case hex", strings.ToUpper(key), false},
		{"one upper-case letter", key[:39] + "A", false},
		{"non-hex letter", key[:39] + "g", false},
		{"trailing newline", key[:39] + "\n", false},
		{"NUL inside", key[:20] + "\x00" + key[21:], false},
		{"high byte inside", key[:20] + "\xff" + key[21:], false},
		{"Gatehouse token", domain.EncodeSecret(domain.TokenPrefix, sequence(0)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ValidDRFKey(tt.in); got != tt.want {
				t.Errorf("ValidDRFKey(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got := domain.ValidTokenSecret(tt.in); got != tt.want && tt.name != "Gatehouse token" {
				t.Errorf("ValidTokenSecret(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidSessionSecretAcceptsEncodedSessions(t *testing.T) {
	for _, random := range [][domain.SecretBytes]byte{filled(0x00), filled(0xff), sequence(0)} {
		s := domain.EncodeSecret(domain.SessionPrefix, random)
		if !domain.ValidSessionSecret(s) {
			t.Errorf("ValidSessionSecret(%q) = false, want true", s)
		}
		if domain.ValidTokenSecret(s) {
			t.Errorf("ValidTokenSecret(%q) = true for a session id, want false", s)
		}
	}
}

func TestValidTokenSecretRejectsMalformedStrings(t *testing.T) {
	token := domain.EncodeSecret(domain.TokenPrefix, sequence(0))
	replaceAt := func(i int, c string) string { return token[:i] + c + token[i+1:] }
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"prefix only", domain.TokenPrefix},
		{"session prefix", domain.EncodeSecret(domain.SessionPrefix, sequence(0))},
		{"token prefix swapped onto a session id", domain.TokenPrefix + domain.EncodeSecret(domain.SessionPrefix, sequence(0))[4:]},
		{"upper-case prefix", "GTH_" + token[4:]},
		{"one character short", token[:secretLen-1]},
		{"one character long", token + "0"},
		{"leading space", " " + token[1:]},
		{"trailing newline", token[:secretLen-1] + "\n"},
		{"dash in body", replaceAt(10, "-")},
		{"underscore in body", replaceAt(10, "_")},
		{"slash in checksum", replaceAt(secretLen-1, "/")},
		{"NUL in body", replaceAt(20, "\x00")},
		{"high byte in body", replaceAt(20, "\xff")},
		{"checksum of another token", token[:secretBodyEnd] + domain.EncodeSecret(domain.TokenPrefix, filled(0))[secretBodyEnd:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if domain.ValidTokenSecret(tt.in) {
				t.Errorf("ValidTokenSecret(%q) = true, want false", tt.in)
			}
		})
	}
}

// TestValidTokenSecretRejectsEverySingleCharacterChange substitutes every other base62
// character at every position: CRC32 detects every single-byte error, so no typo passes.
func TestValidTokenSecretRejectsEverySingleCharacterChange(t *testing.T) {
	for _, random := range [][domain.SecretBytes]byte{filled(0x00), filled(0xff), sequence(0)} {
		token := domain.EncodeSecret(domain.TokenPrefix, random)
		for i := range len(token) {
			for _, c := range []byte(base62Alphabet) {
				if c == token[i] {
					continue
				}
				typo := token[:i] + string(c) + token[i+1:]
				if domain.ValidTokenSecret(typo) {
					t.Errorf("ValidTokenSecret(%q) = true after changing position %d of %q", typo, i, token)
				}
			}
		}
	}
}

func TestHashSecretIsSHA256(t *testing.T) {
	for _, secret := range []string{"", "gth_x", domain.EncodeSecret(domain.TokenPrefix, sequence(0))} {
		h := domain.HashSecret(secret)
		want := sha256.Sum256([]byte(secret))
		if h != domain.SecretHash(want) {
			t.Errorf("HashSecret(%q) = %x, want %x", secret, h, want)
		}
		if got, wantHex := h.Hex(), hex.EncodeToString(want[:]); got != wantHex {
			t.Errorf("Hex() = %q, want %q", got, wantHex)
		}
		if len(h.Hex()) != 64 {
			t.Errorf("len(Hex()) = %d, want 64", len(h.Hex()))
		}
	}
	if domain.HashSecret("a") == domain.HashSecret("b") {
		t.Error("HashSecret(\"a\") == HashSecret(\"b\")")
	}
}

func TestNewPublicIDIsLowerCaseHex(t *testing.T) {
	tests := []struct {
		name   string
		random [domain.PublicIDBytes]byte
		want   string
	}{
		{"all zero", [domain.PublicIDBytes]byte{}, "00000000000000000000000000000000"},
		{"sequence", [domain.PublicIDBytes]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, "000102030405060708090a0b0c0d0e0f"},
		{"high bytes", [domain.PublicIDBytes]byte{0xab, 0xcd, 0xef, 0xff, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 0x0f, 0xf0, 0xa5, 0x5a}, "abcdeffffedcba98765432100ff0a55a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := domain.NewPublicID(tt.random)
			if id != tt.want {
				t.Errorf("NewPublicID = %q, want %q", id, tt.want)
			}
			if !domain.ValidPublicID(id) {
				t.Errorf("ValidPublicID(%q) = false, want true", id)
			}
		})
	}
}

func TestValidPublicIDRejectsMalformedIDs(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"upper-case hex", "ABCDEFFFFEDCBA98765432100FF0A55A"},
		{"one upper-case letter", "abcdeffffedcba98765432100ff0a55A"},
		{"31 characters", strings.Repeat("a", 31)},
		{"33 characters", strings.Repeat("a", 33)},
		{"non-hex letter", strings.Repeat("a", 31) + "g"},
		{"dash", "00000000-0000-0000-0000-00000000"},
		{"path traversal", "../../../../../../../../etc/pass"},
		{"multi-byte character", strings.Repeat("a", 30) + "é"},
		{"token secret", domain.EncodeSecret(domain.TokenPrefix, sequence(0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if domain.ValidPublicID(tt.in) {
				t.Errorf("ValidPublicID(%q) = true, want false", tt.in)
			}
		})
	}
}

func TestCSRFTokenIsDerivedFromTheSessionSecret(t *testing.T) {
	secret := domain.EncodeSecret(domain.SessionPrefix, sequence(0))
	other := domain.EncodeSecret(domain.SessionPrefix, sequence(1))
	token := domain.CSRFToken(secret)

	if want := "k2z0rKsheSis8S2QsvF_tPkWS98PUdZWhNug38qko0g"; token != want { // HMAC-SHA256, checked with Python
		t.Errorf("CSRFToken(%q) = %q, want %q", secret, token, want)
	}
	if again := domain.CSRFToken(secret); again != token {
		t.Errorf("second CSRFToken = %q, want %q again", again, token)
	}
	if domain.CSRFToken(other) == token {
		t.Errorf("two session secrets share CSRF token %q", token)
	}
	if strings.Contains(token, secret) || strings.Contains(token, secret[4:12]) {
		t.Errorf("CSRF token %q reveals part of the secret %q", token, secret)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != sha256.Size {
		t.Errorf("CSRF token %q is not %d bytes of unpadded URL-safe base64 (err %v)", token, sha256.Size, err)
	}
}

func TestCheckCSRFExemptsSafeMethods(t *testing.T) {
	expected := domain.CSRFToken(domain.EncodeSecret(domain.SessionPrefix, sequence(0)))
	for _, method := range []string{"GET", "HEAD", "OPTIONS", "TRACE"} {
		for _, got := range []string{"", "wrong", expected} {
			if err := domain.CheckCSRF(method, expected, got); err != nil {
				t.Errorf("CheckCSRF(%s, token %q) = %v, want nil", method, got, err)
			}
		}
		if domain.Unsafe(method) {
			t.Errorf("Unsafe(%s) = true, want false", method)
		}
	}
}

func TestCheckCSRFRequiresTheTokenForUnsafeMethods(t *testing.T) {
	expected := domain.CSRFToken(domain.EncodeSecret(domain.SessionPrefix, sequence(0)))
	other := domain.CSRFToken(domain.EncodeSecret(domain.SessionPrefix, sequence(1)))
	tests := []struct {
		name, expected, got string
		wantReason          string // "" when the request passes
	}{
		{"missing", expected, "", "missing"},
		{"wrong", expected, other, "incorrect"},
		{"prefix of the right one", expected, expected[:len(expected)-1], "incorrect"},
		{"right one with a suffix", expected, expected + "x", "incorrect"},
		{"nothing expected, something sent", "", "x", "incorrect"},
		{"nothing expected, nothing sent", "", "", "missing"},
		{"right", expected, expected, ""},
	}
	// Methods are case-sensitive (RFC 9110 §9.1): anything but the four safe names is unsafe.
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE", "get", "PROPFIND"} {
		if !domain.Unsafe(method) {
			t.Errorf("Unsafe(%s) = false, want true", method)
		}
		for _, tt := range tests {
			t.Run(method+" "+tt.name, func(t *testing.T) {
				err := domain.CheckCSRF(method, tt.expected, tt.got)
				if tt.wantReason == "" {
					if err != nil {
						t.Errorf("CheckCSRF = %v, want nil", err)
					}
					return
				}
				cerr, ok := errors.AsType[*domain.CSRFError](err)
				if !ok {
					t.Fatalf("CheckCSRF = %v (%T), want *domain.CSRFError", err, err)
				}
				if !strings.Contains(cerr.Reason, tt.wantReason) {
					t.Errorf("Reason = %q, want it to say %q", cerr.Reason, tt.wantReason)
				}
				if !strings.HasPrefix(err.Error(), "CSRF Failed") {
					t.Errorf("Error() = %q, want it to start with %q", err.Error(), "CSRF Failed")
				}
			})
		}
	}
}

// TestLinkSecretsAnswerOnlyForTheirOwnKind: a reset link's secret is no verification link's
// and the reverse, so one kind of link can never be posted where another is expected.
func TestLinkSecretsAnswerOnlyForTheirOwnKind(t *testing.T) {
	valid := map[string]func(string) bool{
		domain.ResetPrefix:   domain.ValidResetSecret,
		domain.VerifyPrefix:  domain.ValidVerifySecret,
		domain.TokenPrefix:   domain.ValidTokenSecret,
		domain.SessionPrefix: domain.ValidSessionSecret,
	}
	for _, prefix := range []string{domain.ResetPrefix, domain.VerifyPrefix} {
		s := domain.EncodeSecret(prefix, sequence(7))
		for other, ok := range valid {
			if got := ok(s); got != (other == prefix) {
				t.Errorf("validator of %s on %s secret = %v, want %v", other, prefix, got, other == prefix)
			}
		}
		if mangled := s[:10] + "x" + s[11:]; valid[prefix](mangled) {
			t.Errorf("%s secret with a changed character accepted", prefix)
		}
	}
}
