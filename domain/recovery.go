package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"time"
)

// Recovery codes stand in for a second factor when the authenticator is lost. Ten are shown
// once, at enrolment; each is a OneTimeCode of PurposeRecovery, used once.
//
// A code is 10 characters of Crockford's base32 alphabet (digits and lower-case letters but
// i, l, o and u), so 50 random bits, shown as "xxxxx-xxxxx". Input is forgiving: case,
// spaces and dashes are ignored, and i/l and o read as 1 and 0, the way Crockford decodes.
const (
	// RecoveryCodeCount is how many codes a set has.
	RecoveryCodeCount = 10
	// RecoveryCodeBytes is the randomness one code is made from: 56 bits, of which the code
	// keeps 50.
	RecoveryCodeBytes = 7
	// RecoveryCodeLifetime is how long a code stays valid: for ever, in practice. A century
	// still fits every store (the memory stores hold instants up to 2262, MySQL DATETIME up
	// to 9999, a Redis expiry in milliseconds far more).
	RecoveryCodeLifetime = 100 * 365 * 24 * time.Hour

	recoveryCodeLen  = 10
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	// recoveryHashLabel separates recovery-code hashes from every other SHA-256 here.
	recoveryHashLabel = "gatehouse recovery v1\x00"
)

// NewRecoveryCodes makes a set of recovery codes for user from random bytes: the codes to show
// the user once, as "xxxxx-xxxxx", and the one-time codes to store in their place.
func NewRecoveryCodes(user UserID, random [RecoveryCodeCount][RecoveryCodeBytes]byte, now time.Time) (shown []string, stored []OneTimeCode) {
	shown = make([]string, RecoveryCodeCount)
	stored = make([]OneTimeCode, RecoveryCodeCount)
	for i, r := range random {
		var b [8]byte
		copy(b[1:], r[:])
		n := binary.BigEndian.Uint64(b[:])
		code := make([]byte, recoveryCodeLen)
		for j := recoveryCodeLen - 1; j >= 0; j-- {
			code[j] = recoveryAlphabet[n&31]
			n >>= 5
		}
		shown[i] = string(code[:5]) + "-" + string(code[5:])
		h, _ := HashRecoveryCode(user, shown[i])
		stored[i] = OneTimeCode{Purpose: PurposeRecovery, UserID: user, Hash: h, CreatedAt: now,
			ExpiresAt: now.Add(RecoveryCodeLifetime)}
	}
	return shown, stored
}

// normalizeRecoveryCode returns the code as generated, without the dash, or false when input
// cannot be a recovery code.
func normalizeRecoveryCode(input string) (string, bool) {
	out := make([]byte, 0, recoveryCodeLen)
	for i := 0; i < len(input); i++ {
		c := input[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch c {
		case ' ', '-', '\t':
			continue
		case 'i', 'l':
			c = '1'
		case 'o':
			c = '0'
		}
		if strings.IndexByte(recoveryAlphabet, c) < 0 || len(out) == recoveryCodeLen {
			return "", false
		}
		out = append(out, c)
	}
	return string(out), len(out) == recoveryCodeLen
}

// HashRecoveryCode returns the store key of a recovery code that user typed, or false when
// the input cannot be a recovery code (which needs no store lookup). The user's ID is part
// of the hash, so one user's code never finds, let alone consumes, another's. A plain
// SHA-256 is what every other secret here gets; a code has 50 random bits, so a leaked store
// costs an attacker some 2^49 hashes per code to reverse, for a code that also needs the
// user's password to be worth anything.
func HashRecoveryCode(user UserID, input string) (SecretHash, bool) {
	code, ok := normalizeRecoveryCode(input)
	if !ok {
		return SecretHash{}, false
	}
	h := sha256.New()
	h.Write([]byte(recoveryHashLabel))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(user)))
	h.Write([]byte(code))
	var out SecretHash
	h.Sum(out[:0])
	return out, true
}
