package domain

import (
	"errors"
	"fmt"
	"time"
)

// ErrFactorExists means the account has a confirmed second factor of that kind already: it
// must be disabled (with the password and a current code) before another is enrolled, so a
// stolen session alone cannot swap the factor for the thief's own.
var ErrFactorExists = errors.New("the account has that second factor already")

// TOTPFactor is a user's TOTP authenticator. The secret must be readable by the server to
// compute codes, so unlike every other secret here it is not hashed but sealed (encrypted)
// with the server keys: see ServerKeys.SealTOTP.
type TOTPFactor struct {
	UserID UserID
	// Sealed is the secret as ServerKeys.SealTOTP sealed it for UserID.
	Sealed []byte
	// Confirmed is set once the user typed a right code after enrolment; an unconfirmed
	// factor does not guard logins.
	Confirmed bool
	CreatedAt time.Time
	// LastStep is the TOTP step of the last code accepted (0 for none): CheckTOTP refuses it
	// and every earlier step, so a code is used once.
	LastStep int64
	// LastUsedAt is when a code was last accepted at login; zero if never.
	LastUsedAt time.Time
}

// FactorKind names a way to give the second factor, as the API lists them.
type FactorKind string

// The kinds of second factor.
const (
	FactorTOTP         FactorKind = "totp"
	FactorRecoveryCode FactorKind = "recovery_code"
)

var (
	// ErrBasicWithFactor refuses Basic authentication for an account with a second factor:
	// Basic credentials are a password alone, on every request, with no room for a code. A
	// token obtained through the two-step login works instead.
	ErrBasicWithFactor = errors.New("the account has a second factor: Basic authentication cannot carry it; use a token")
	// ErrWrongSecondFactor is the ErrInvalidCredentials of a wrong, used or unknown
	// second-factor code at the second step of a login.
	ErrWrongSecondFactor = fmt.Errorf("%w: wrong second-factor code", ErrInvalidCredentials)
	// ErrNoFactor means the account has no confirmed second factor where one is needed.
	ErrNoFactor = errors.New("the account has no second factor")
)
