package domain

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Passkey is a WebAuthn credential a user registered: a key pair held by an authenticator
// (a phone, a laptop's secure element, a security key), of which the server keeps only the
// public half. It is both a login on its own (discoverable, user-verifying) and a second
// factor for a password login.
type Passkey struct {
	UserID UserID
	// CredentialID is the authenticator's id of the key pair (at most
	// MaxPasskeyCredentialIDBytes); unique per user.
	CredentialID []byte
	// Name is the user's label for it ("work laptop").
	Name string
	// Data is the credential record as the WebAuthn ceremonies encoded it (public key,
	// signature counter, flags): opaque to stores and use cases, and not secret.
	Data       []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used
}

// ID names the passkey in URLs and lists: its credential id in unpadded base64url, as
// WebAuthn itself writes it.
func (p Passkey) ID() string { return base64.RawURLEncoding.EncodeToString(p.CredentialID) }

// ParsePasskeyID reads what Passkey.ID wrote.
func ParsePasskeyID(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || len(b) > MaxPasskeyCredentialIDBytes {
		return nil, false
	}
	return b, true
}

const (
	// MaxPasskeys is how many passkeys one account may hold: more than anyone has devices,
	// few enough that listing them stays one small read.
	MaxPasskeys = 20
	// MaxPasskeyCredentialIDBytes is the WebAuthn limit on credential ids.
	MaxPasskeyCredentialIDBytes = 1023
	// MaxPasskeyNameLength bounds a passkey's name, in characters.
	MaxPasskeyNameLength = 64
	// PasskeyCeremonyTTL is how long a ceremony's challenge stays valid: time to touch an
	// authenticator or pick a passkey, not more.
	PasskeyCeremonyTTL = 5 * time.Minute
)

// FactorPasskey is the kind of second factor a passkey gives.
const FactorPasskey FactorKind = "webauthn"

var (
	// ErrPasskeysOff means passkeys are not configured (GATEHOUSE_WEBAUTHN_RP_ID).
	ErrPasskeysOff = errors.New("passkeys are not configured on this server")
	// ErrPasskeyExists refuses registering an authenticator's credential twice.
	ErrPasskeyExists = errors.New("the account has that passkey already")
	// ErrTooManyPasskeys refuses a registration beyond MaxPasskeys.
	ErrTooManyPasskeys = errors.New("the account has as many passkeys as it may hold")
	// ErrWrongPasskey is the ErrInvalidCredentials of a passkey assertion that does not
	// verify: an unknown credential, a bad signature, a used or expired challenge, a
	// counter gone backwards.
	ErrWrongPasskey = fmt.Errorf("%w: the passkey could not be verified", ErrInvalidCredentials)
)

// NormalizePasskeyName trims name and checks it: 1 to MaxPasskeyNameLength printable
// characters.
func NormalizePasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxPasskeyNameLength ||
		strings.IndexFunc(name, isControl) >= 0 {
		return "", NewValidationError("name", "Give the passkey a name of 1 to 64 characters.")
	}
	return name, nil
}

// PasskeyUserHandle is the WebAuthn user handle of a user: an opaque id the authenticator
// keeps with a discoverable credential and returns at login, so a passkey login finds its
// account without a username. It is the user's id, which names no person.
func PasskeyUserHandle(id UserID) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

// ParsePasskeyUserHandle reads what PasskeyUserHandle wrote.
func ParsePasskeyUserHandle(b []byte) (UserID, bool) {
	if len(b) != 8 {
		return 0, false
	}
	id := UserID(binary.BigEndian.Uint64(b))
	return id, id > 0
}
