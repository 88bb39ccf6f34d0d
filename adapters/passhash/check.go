package passhash

import (
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/domain"
)

// ErrMalformedHash is the error of Check: an encoded password hash no verifier of this
// package would ever match.
var ErrMalformedHash = errors.New("malformed password hash")

// Check reports whether encoded is a password hash this package can verify: Gatehouse's
// argon2id PHC string, or one of Django's encoded formats (weak legacy ones included, which
// verify once GATEHOUSE_ALLOW_WEAK_IMPORTED_HASHES allows them), or an unusable password
// ("!..."), which never matches. It parses only and runs no hash, so an importer can refuse a
// hostile or mangled string with a clear reason before it is stored; at login such a string
// would only ever give "invalid credentials". The error wraps ErrMalformedHash and never
// repeats the hash.
func Check(encoded string) error {
	if strings.HasPrefix(encoded, "$argon2id$") {
		// Django never writes this form, so an imported one is held to the bounds of an
		// imported argon2 hash: what its time costs is what every failed login is padded to.
		if _, _, _, ok := parseDjangoArgon2(encoded[1:]); !ok {
			return malformed("argon2id", "fields or parameters out of bounds: m at most 102400 KiB, m·t at most 204800, p at most 8")
		}
		return nil
	}
	if strings.HasPrefix(encoded, domain.UnusablePasswordPrefix) {
		return nil
	}
	algorithm, rest, found := strings.Cut(encoded, "$")
	switch {
	case encoded == "":
		return malformed("", "empty")
	case algorithm == "pbkdf2_sha256" || algorithm == "pbkdf2_sha1":
		size := map[string]int{"pbkdf2_sha256": sha256.Size, "pbkdf2_sha1": sha1.Size}[algorithm]
		if _, _, _, ok := parsePBKDF2(rest, size); !ok {
			return malformed(algorithm, "want iterations (1 to 1,200,000), salt and a base64 hash of the digest's size")
		}
	case algorithm == "argon2":
		if _, _, _, ok := parseDjangoArgon2(rest); !ok {
			return malformed(algorithm, "want argon2id, v=19, m at most 102400 KiB, m·t at most 204800, p at most 8")
		}
	case algorithm == "bcrypt_sha256" || algorithm == "bcrypt":
		if !wellFormedBcrypt(rest) {
			return malformed(algorithm, "want a 60-character bcrypt hash of cost 4 to 12")
		}
	case algorithm == "md5" || algorithm == "sha1":
		size := map[string]int{"md5": 32, "sha1": 40}[algorithm]
		salt, digest, _ := strings.Cut(rest, "$")
		if strings.Contains(salt, "$") || strings.Contains(digest, "$") || !hexOfLen(digest, size) {
			return malformed(algorithm, "want salt and hexadecimal digest")
		}
	case !found && hexOfLen(encoded, 32):
		// Django's UnsaltedMD5PasswordHasher reads bare hex digests.
	default:
		return malformed("", "unknown algorithm")
	}
	return nil
}

func malformed(algorithm, reason string) error {
	if algorithm == "" {
		return fmt.Errorf("%w: %s", ErrMalformedHash, reason)
	}
	return fmt.Errorf("%w: %s: %s", ErrMalformedHash, algorithm, reason)
}

func hexOfLen(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
