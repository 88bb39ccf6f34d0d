package domain

import "time"

// CodePurpose says what a one-time code proves. A code answers only for its own purpose, so a
// verification link can never be used to reset a password.
type CodePurpose string

// The purposes of one-time codes.
const (
	// PurposeVerifyEmail confirms that the user receives mail at the address it was sent to.
	PurposeVerifyEmail CodePurpose = "verify-email"
	// PurposePasswordReset lets the user choose a new password without the old one.
	PurposePasswordReset CodePurpose = "password-reset"
	// PurposeEmailChange confirms a new address before it replaces the old one.
	PurposeEmailChange CodePurpose = "email-change"
	// PurposeRecovery stands in for a second factor, once (see NewRecoveryCodes).
	PurposeRecovery CodePurpose = "recovery"
	// PurposeMFATicket carries a login from the right password to the second factor (see
	// MFATicketPrefix).
	PurposeMFATicket CodePurpose = "mfa-ticket"
	// PurposePasskeyRegister, PurposePasskeyLogin and PurposePasskeyMFA hold a WebAuthn
	// ceremony's state between its two calls, keyed by the hash of its challenge: adding a
	// passkey, a login with a passkey alone, and a passkey as the second step of a login.
	PurposePasskeyRegister CodePurpose = "passkey-register"
	PurposePasskeyLogin    CodePurpose = "passkey-login"
	PurposePasskeyMFA      CodePurpose = "passkey-mfa"
)

// CodePurposes lists every purpose, for stores and tests that walk them.
var CodePurposes = []CodePurpose{PurposeVerifyEmail, PurposePasswordReset, PurposeEmailChange, PurposeRecovery,
	PurposeMFATicket, PurposePasskeyRegister, PurposePasskeyLogin, PurposePasskeyMFA}

// Valid reports whether p is one of the CodePurposes.
func (p CodePurpose) Valid() bool {
	switch p {
	case PurposeVerifyEmail, PurposePasswordReset, PurposeEmailChange, PurposeRecovery, PurposeMFATicket,
		PurposePasskeyRegister, PurposePasskeyLogin, PurposePasskeyMFA:
		return true
	}
	return false
}

// OneTimeCode is a secret sent by mail as a link (email verification, password reset, email
// change), shown once (a recovery code) or handed to a client between two login steps (an MFA
// ticket), and used once. Like a session or a token it is stored only as the hash of its
// secret: a leaked store reveals no working link (OWASP Forgot Password Cheat Sheet).
type OneTimeCode struct {
	Purpose CodePurpose
	UserID  UserID
	Hash    SecretHash
	Email   string // the address the code was sent to: for an email change, the new one
	// Data is what the code's use case remembers between its two steps (a login ticket's
	// state, a WebAuthn ceremony's), at most MaxCodeDataBytes; stores keep it as given.
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time // codes always expire
}

// MaxCodeDataBytes bounds OneTimeCode.Data: the largest ceremony state, a second step that
// allows all of MaxPasskeys passkeys with ids of MaxPasskeyCredentialIDBytes, fits, as does
// a MySQL BLOB.
const MaxCodeDataBytes = 1<<16 - 1

// Expired reports whether the code is over at now. A code is over at its deadline exactly,
// as a session is.
func (c OneTimeCode) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt) }
