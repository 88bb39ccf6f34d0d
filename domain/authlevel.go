package domain

import "errors"

// AuthLevel is how strongly a credential's holder proved who they are when it was issued: a
// session or token keeps the level of the login that made it, so an upstream behind the
// verify endpoint can demand a second factor for its own routes (issue #16). Levels are
// ordered: a route that demands a level admits every higher one.
type AuthLevel uint8

const (
	// LevelPassword is one factor: a password, a passkey alone, or Basic credentials.
	LevelPassword AuthLevel = 1
	// LevelSecondFactor is a password followed by a second factor (a TOTP or recovery code).
	LevelSecondFactor AuthLevel = 2
)

// ErrAuthLevelTooLow refuses a credential whose level is below the one a route demands (the
// verify endpoint's level parameter). It is not a failed authentication: the credential is
// valid, and only a login with more factors can give one that passes.
var ErrAuthLevelTooLow = errors.New("the credential's authentication level is below the one required")

// Effective is l, or LevelPassword for the zero level: a credential stored before levels
// existed, or made by a path that names none (an import), was issued on one factor at most.
// Stores keep and return the effective level, so the zero level never leaves a store.
func (l AuthLevel) Effective() AuthLevel {
	if l == 0 {
		return LevelPassword
	}
	return l
}

// Level is the level p was authenticated at: its session's or token's, and LevelPassword
// for Basic, which carries a password alone (and is refused for an account with a second
// factor).
func (p Principal) Level() AuthLevel {
	switch {
	case p.Session != nil:
		return p.Session.Level.Effective()
	case p.Token != nil:
		return p.Token.Level.Effective()
	}
	return LevelPassword
}
