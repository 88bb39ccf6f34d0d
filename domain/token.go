package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Token is an API token: one per device, each with its own name and lifetime. Its secret is
// stored only as SecretHash.
type Token struct {
	ID         string // public id, shown in lists and used to revoke
	UserID     UserID
	Name       string
	SecretHash SecretHash
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first use
	ExpiresAt  time.Time // zero when the token never expires
	Level      AuthLevel // of the login that issued it
}

// Expired reports whether the token is over at now; a zero ExpiresAt never is.
func (t Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// IssuedToken is a new token with its secret, which is shown only in the response that
// creates it.
type IssuedToken struct {
	Token
	Secret string
}

// MaxTokenNameLength bounds a token's device label, in characters.
const MaxTokenNameLength = 100

// DefaultTokenName labels a token whose creator gave no name.
const DefaultTokenName = "default"

// NormalizeTokenName trims a device label and checks it is printable and not too long.
func NormalizeTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return DefaultTokenName, nil
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", NewValidationError("name", "Enter a name of printable characters.")
	}
	if utf8.RuneCountInString(name) > MaxTokenNameLength {
		return "", NewValidationError("name", "Ensure this field has no more than 100 characters.")
	}
	return name, nil
}
