package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"math/big"
)

// Secrets (token keys and session ids) are 256 random bits in base62 behind a fixed prefix and
// followed by a CRC32 checksum, in the manner of GitHub's token format: secret scanners can
// recognise a leaked one by its prefix, and typos are rejected without a store lookup.
//
//	gth_<43 base62 chars: 256 random bits><6 base62 chars: CRC32 of prefix and body>
const (
	TokenPrefix   = "gth_"
	SessionPrefix = "gts_"
	// ResetPrefix marks the secret of a password reset link (a domain.OneTimeCode).
	ResetPrefix = "gtr_"
	// VerifyPrefix marks the secret of an email verification link (a domain.OneTimeCode).
	VerifyPrefix = "gtv_"

	SecretBytes    = 32
	secretBodyLen  = 43 // ceil(256 / log2(62))
	secretCheckLen = 6  // ceil(32 / log2(62))
	secretLen      = 4 + secretBodyLen + secretCheckLen

	// PublicIDBytes is the size of the random part of a public id (token or session id).
	PublicIDBytes = 16
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// SecretHash is the SHA-256 of a secret: the only form in which stores keep secrets.
type SecretHash [sha256.Size]byte

// HashSecret returns the store key of a secret. A plain SHA-256 suffices because the secret
// carries 256 random bits: there is nothing to brute-force, unlike a password.
func HashSecret(secret string) SecretHash { return sha256.Sum256([]byte(secret)) }

// Hex returns the hash in lower-case hexadecimal, for stores that key by string.
func (h SecretHash) Hex() string { return hex.EncodeToString(h[:]) }

// EncodeSecret turns random bytes into a secret with the given prefix.
func EncodeSecret(prefix string, random [SecretBytes]byte) string {
	buf := make([]byte, 0, secretLen)
	buf = append(buf, prefix...)
	buf = appendBase62(buf, new(big.Int).SetBytes(random[:]), secretBodyLen)
	sum := crc32.ChecksumIEEE(buf)
	return string(appendBase62(buf, new(big.Int).SetUint64(uint64(sum)), secretCheckLen))
}

func appendBase62(dst []byte, n *big.Int, width int) []byte {
	out := make([]byte, width)
	base, rem := big.NewInt(62), new(big.Int)
	for i := width - 1; i >= 0; i-- {
		n.QuoRem(n, base, rem)
		out[i] = base62[rem.Int64()]
	}
	return append(dst, out...)
}

// checkSecret reports whether s is well-formed: right prefix, length, alphabet and checksum.
func checkSecret(prefix, s string) bool {
	if len(s) != secretLen || s[:len(prefix)] != prefix {
		return false
	}
	var sum uint64
	for i := len(prefix); i < len(s); i++ {
		v := base62Value(s[i])
		if v < 0 {
			return false
		}
		if i >= len(prefix)+secretBodyLen {
			sum = sum*62 + uint64(v)
		}
	}
	return sum == uint64(crcString(s[:len(prefix)+secretBodyLen]))
}

// crcString is crc32.ChecksumIEEE of s without converting s to a byte slice, which would
// allocate on every authenticated request.
func crcString(s string) uint32 {
	crc := ^uint32(0)
	for i := 0; i < len(s); i++ {
		crc = crc32.IEEETable[byte(crc)^s[i]] ^ crc>>8
	}
	return ^crc
}

func base62Value(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// ValidTokenSecret reports whether s has a token format: Gatehouse's own, or a key imported
// from Django REST Framework (see ValidDRFKey). It does not say the token exists.
func ValidTokenSecret(s string) bool { return checkSecret(TokenPrefix, s) || ValidDRFKey(s) }

// DRFKeyLen is the length of a Django REST Framework authtoken key.
const DRFKeyLen = 40

// ValidDRFKey reports whether s is a Django REST Framework token key: exactly 40 lower-case
// hexadecimal characters, which is all DRF's Token.generate_key writes
// (binascii.hexlify(os.urandom(20))). Keys imported from DRF keep working unchanged; an
// upper-case variant is not one DRF could have issued, so it is refused as malformed rather
// than looked up. Such a key carries 160 random bits and no checksum.
func ValidDRFKey(s string) bool {
	if len(s) != DRFKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ValidSessionSecret reports whether s has the session id format.
func ValidSessionSecret(s string) bool { return checkSecret(SessionPrefix, s) }

// ValidResetSecret reports whether s is well-formed as the secret of a password reset link.
func ValidResetSecret(s string) bool { return checkSecret(ResetPrefix, s) }

// ValidVerifySecret reports whether s is well-formed as the secret of an email verification
// link.
func ValidVerifySecret(s string) bool { return checkSecret(VerifyPrefix, s) }

// NewPublicID encodes random bytes as the public id of a token or session: the handle users
// see in lists and pass to revoke. It reveals nothing about the secret.
func NewPublicID(random [PublicIDBytes]byte) string { return hex.EncodeToString(random[:]) }

// ValidPublicID reports whether s could be a public id, so garbage in a URL never reaches a store.
func ValidPublicID(s string) bool {
	if len(s) != 2*PublicIDBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// CSRFToken derives the CSRF token of a session from its secret. Deriving it (HMAC-SHA256)
// instead of storing a second secret means the store holds nothing that reveals it, and a
// leaked CSRF token reveals nothing about the session id.
func CSRFToken(sessionSecret string) string {
	mac := hmac.New(sha256.New, []byte(sessionSecret))
	mac.Write([]byte("gatehouse csrf v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Unsafe reports whether an HTTP method may change state and therefore needs CSRF protection
// (RFC 9110 §9.2.1 safe methods are exempt).
func Unsafe(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return false
	}
	return true
}

// CheckCSRF verifies the CSRF token sent with a cookie-authenticated request. The comparison
// is constant-time so the expected token cannot be learned byte by byte.
func CheckCSRF(method, expected, got string) error {
	if !Unsafe(method) {
		return nil
	}
	if got == "" {
		return &CSRFError{Reason: "CSRF token missing."}
	}
	if subtle.ConstantTimeCompare([]byte(expected), []byte(got)) != 1 {
		return &CSRFError{Reason: "CSRF token incorrect."}
	}
	return nil
}
