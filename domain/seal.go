package domain

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// TOTP secrets are sealed at rest with AES-256-GCM (NIST SP 800-38D), under a key derived from
// a server key for this one use (HMAC-SHA256 of a label, as FormToken derives its MACs), so
// a database dump alone opens nothing. A sealed secret is
//
//	version (1 byte, 1) | key id (4 bytes) | nonce (12 random bytes) | ciphertext and tag
//
// The key id is the first bytes of SHA-256 of the derived key: it names the key that sealed
// it, so after a rotation (a new key first in GATEHOUSE_SECRET_KEY, the old ones after it)
// old secrets still open and NeedsReseal says which to seal again. It reveals nothing about
// the key.
//
// The additional data authenticates the header and the owner's UserID: a sealed secret
// copied into another user's row does not open, so a write to the factor table cannot give
// one user another's authenticator.

// SealNonceBytes is the size of the random nonce of a seal: GCM's standard 96 bits. Random
// nonces keep a key safe for 2^32 seals (SP 800-38D §8.3), far beyond one per enrolment.
const SealNonceBytes = 12

const (
	sealVersion  = 1
	sealKeyIDLen = 4
	sealHeader   = 1 + sealKeyIDLen + SealNonceBytes
	// totpSealLabel separates the TOTP sealing key from every other use of the server keys.
	totpSealLabel = "gatehouse totp seal v1\x00"
)

var (
	// ErrNoServerKey means a secret had to be sealed or opened but no GATEHOUSE_SECRET_KEY
	// is configured.
	ErrNoServerKey = errors.New("no server key (GATEHOUSE_SECRET_KEY) is configured")
	// ErrSealBroken means a sealed secret does not open: it was sealed under a key that is
	// no longer listed, for another user, or it is damaged. The message says no more, and
	// never holds key or secret bytes.
	ErrSealBroken = errors.New("sealed secret does not open with the configured keys")
)

// sealKey is one server key derived for a use, with its id.
type sealKey struct {
	aead cipher.AEAD
	id   [sealKeyIDLen]byte
}

func deriveSealKey(serverKey []byte, label string) sealKey {
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte(label))
	derived := m.Sum(nil)
	block, err := aes.NewCipher(derived) // 32 bytes: AES-256
	if err != nil {
		panic("domain: AES-256 of a 32-byte key: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("domain: GCM of AES: " + err.Error())
	}
	sum := sha256.Sum256(derived)
	var k sealKey
	k.aead = aead
	copy(k.id[:], sum[:])
	return k
}

// sealAD is the additional data of a seal: its header and the owner.
func sealAD(header []byte, user UserID) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(header), uint64(user))
}

// SealTOTP seals secret for user under the first key, with the given random nonce.
func (k ServerKeys) SealTOTP(user UserID, secret TOTPSecret, nonce [SealNonceBytes]byte) ([]byte, error) {
	if k.Empty() {
		return nil, ErrNoServerKey
	}
	key := deriveSealKey(k.keys[0], totpSealLabel)
	out := make([]byte, 0, sealHeader+len(secret)+key.aead.Overhead())
	out = append(out, sealVersion)
	out = append(out, key.id[:]...)
	out = append(out, nonce[:]...)
	return key.aead.Seal(out, nonce[:], secret[:], sealAD(out, user)), nil
}

// OpenTOTP opens a secret that SealTOTP sealed for user under any of the keys.
func (k ServerKeys) OpenTOTP(user UserID, sealed []byte) (TOTPSecret, error) {
	var secret TOTPSecret
	if k.Empty() {
		return secret, ErrNoServerKey
	}
	if len(sealed) < sealHeader || sealed[0] != sealVersion {
		return secret, ErrSealBroken
	}
	header, id := sealed[:sealHeader], sealed[1:1+sealKeyIDLen]
	for _, raw := range k.keys {
		key := deriveSealKey(raw, totpSealLabel)
		if !bytes.Equal(key.id[:], id) {
			continue
		}
		// Two keys may share an id (one chance in 2^32); each is tried.
		plain, err := key.aead.Open(nil, header[1+sealKeyIDLen:], sealed[sealHeader:], sealAD(header, user))
		if err == nil && len(plain) == len(secret) {
			copy(secret[:], plain)
			return secret, nil
		}
	}
	return secret, ErrSealBroken
}

// NeedsReseal reports whether a sealed TOTP secret was sealed under another key than the
// first, or in an older format, and should be opened and sealed again (then stored with
// ports.FactorStore.Reseal) so that the old key can be dropped. With no keys it is false:
// there is nothing to seal under.
func (k ServerKeys) NeedsReseal(sealed []byte) bool {
	if k.Empty() {
		return false
	}
	id := deriveSealKey(k.keys[0], totpSealLabel).id
	return len(sealed) < sealHeader || sealed[0] != sealVersion || !bytes.Equal(sealed[1:1+sealKeyIDLen], id[:])
}
