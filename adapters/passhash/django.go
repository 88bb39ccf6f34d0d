package passhash

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse/gatehouse/domain"
)

// Foreign verifies password hashes written by Django's hashers, as stored in auth_user, so
// people moving from Django keep their passwords; a match is always re-hashed to argon2id.
// AllowWeak also accepts the legacy unsalted and MD5/SHA-1 hashers, which are off by
// default because a leaked table of them is cracked in hours.
//
// Hostile strings fail fast: fields are checked before any hashing, and iteration counts
// and bcrypt costs are bounded, so an imported hash cannot make a login run for minutes.
type Foreign struct {
	AllowWeak bool
}

// Bounds on the work an imported hash may ask for: Django's own defaults, and no more. Every
// failed login is padded to the time of the costliest hash Verify admits (see
// Limiter.Calibrate), so each step above the defaults would slow every failed login, while
// no Django project writes such hashes unless it raised its hashers' costs by hand.
//
//   - PBKDF2: 1,200,000 iterations, Django 6.0's default for pbkdf2_sha256 (5.2 uses
//     1,000,000, 5.1 870,000, 3.2 260,000); pbkdf2_sha1 has the same bound. The key must be
//     the digest's size, as Django writes it: a longer one would multiply the work.
//   - bcrypt and bcrypt_sha256: cost 12, Django's default since bcrypt came in (Django 1.4).
//   - argon2: Django's default since 3.2 (argon2-cffi's defaults) is argon2id with
//     m=102,400 KiB, t=2, p=8. Admitted: m up to 102,400 KiB, m·t up to 204,800 KiB·passes
//     (so t=4 at half the memory, the same work, passes too) and p up to 8. Earlier Django
//     versions wrote argon2i, which is not verified at all.
const (
	maxPBKDF2Iterations = 1_200_000
	maxBcryptCost       = 12
	maxDjangoArgon2Mem  = 102_400     // KiB
	maxDjangoArgon2Cost = 2 * 102_400 // KiB·passes
	maxDjangoArgon2P    = 8
)

// Verify reports whether password matches a Django-encoded hash. known is false when
// encoded is in no format Foreign handles (or a weak one while AllowWeak is off). An
// unusable password ("!..." from set_unusable_password) is known and never matches.
func (f Foreign) Verify(password, encoded string) (ok, known bool) {
	algorithm, rest, _ := strings.Cut(encoded, "$")
	switch algorithm {
	case "pbkdf2_sha256":
		return verifyPBKDF2(sha256.New, sha256.Size, password, rest), true
	case "pbkdf2_sha1":
		return verifyPBKDF2(sha1.New, sha1.Size, password, rest), true
	case "argon2":
		p, salt, want, valid := parseDjangoArgon2(rest)
		if !valid {
			return false, true
		}
		return subtle.ConstantTimeCompare(argon2Key(password, salt, p), want) == 1, true
	case "bcrypt_sha256":
		// Django hashes with SHA-256 first, hex-encoded, to lift bcrypt's 72-byte limit.
		sum := sha256.Sum256([]byte(password))
		return verifyBcrypt(hex.EncodeToString(sum[:]), rest), true
	case "bcrypt":
		return verifyBcrypt(password, rest), true
	}
	if strings.HasPrefix(encoded, domain.UnusablePasswordPrefix) {
		return false, true
	}
	if !f.AllowWeak {
		return false, false
	}
	switch {
	case algorithm == "md5" || algorithm == "sha1":
		salt, digest, ok := strings.Cut(rest, "$")
		if !ok || strings.Contains(digest, "$") {
			return false, true
		}
		return saltedDigest(algorithm, salt+password, digest), true
	case len(encoded) == 32 && !strings.Contains(encoded, "$"):
		// Django's UnsaltedMD5PasswordHasher also reads bare hex digests.
		return saltedDigest("md5", password, encoded), true
	}
	return false, false
}

// parseDjangoArgon2 parses what follows Django's "argon2$": the PHC string of the argon2-cffi
// library, within the bounds above.
func parseDjangoArgon2(rest string) (p Params, salt, key []byte, ok bool) {
	p, salt, key, ok = parsePHC("$" + rest)
	if !ok || p.Memory > maxDjangoArgon2Mem || uint64(p.Memory)*uint64(p.Time) > maxDjangoArgon2Cost ||
		p.Threads > maxDjangoArgon2P {
		return Params{}, nil, nil, false
	}
	return p, salt, key, true
}

// verifyPBKDF2 checks "iterations$salt$base64(hash)", hash being size bytes. Django passes
// the salt as text.
func verifyPBKDF2[H hash.Hash](h func() H, size int, password, rest string) bool {
	iter, salt, want, ok := parsePBKDF2(rest, size)
	if !ok {
		return false
	}
	got, err := pbkdf2.Key(h, password, []byte(salt), iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// parsePBKDF2 splits "iterations$salt$base64(hash)" and checks every field and bound; the
// hash must be size bytes, the digest's size, which is what Django writes.
func parsePBKDF2(rest string, size int) (iter int, salt string, want []byte, ok bool) {
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return 0, "", nil, false
	}
	iter, err := strconv.Atoi(parts[0])
	if err != nil || iter < 1 || iter > maxPBKDF2Iterations || parts[1] == "" || strings.HasPrefix(parts[0], "0") {
		return 0, "", nil, false
	}
	want, err = base64.StdEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(want) != size {
		return 0, "", nil, false
	}
	return iter, parts[1], want, true
}

// verifyBcrypt checks a bcrypt hash, "$2b$<cost>$..." (Django writes it after "bcrypt$").
func verifyBcrypt(password, rest string) bool {
	if !wellFormedBcrypt(rest) {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(rest), []byte(password)) == nil
}

// bcryptLen is the length of a modular-crypt bcrypt hash: "$2b$12$", then 22 characters of
// salt and 31 of hash in bcrypt's base64 alphabet.
const bcryptLen = 60

// wellFormedBcrypt checks a bcrypt hash's version, cost bound, length and alphabet.
func wellFormedBcrypt(stored string) bool {
	cost, err := bcrypt.Cost([]byte(stored))
	if err != nil || cost > maxBcryptCost || len(stored) != bcryptLen {
		return false
	}
	for i := 7; i < len(stored); i++ {
		c := stored[i]
		if !(c == '.' || c == '/' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

func saltedDigest(algorithm, input, digest string) bool {
	var sum []byte
	if algorithm == "md5" {
		s := md5.Sum([]byte(input))
		sum = s[:]
	} else {
		s := sha1.Sum([]byte(input))
		sum = s[:]
	}
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum)), []byte(strings.ToLower(digest))) == 1
}
