package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// UserID identifies a user. Stores assign it on creation.
type UserID int64

// User is an account. PasswordHash is an encoded hash (PHC string); the password itself is
// never kept.
type User struct {
	ID       UserID
	Username string // NFKC-normalised, as the user typed it otherwise
	Email    string
	// EmailVerified says the user followed a link sent to Email. A change of address
	// confirmed the same way keeps it true; an import or an operator's create leaves it false.
	EmailVerified bool
	PasswordHash  string
	IsActive      bool
	DateJoined    time.Time
}

// Key returns the string that must be unique among users: see UsernameKey.
func (u User) Key() string { return UsernameKey(u.Username) }

// UnusablePasswordPrefix starts the hash of an account that has no password (Django's
// set_unusable_password: accounts that sign in only through another system). No password
// ever matches it.
const UnusablePasswordPrefix = "!"

// HasUsablePassword reports whether a password can log u in. A password reset does not give
// an account without one a password, as Django's PasswordResetForm does not: its owners
// chose to have none.
func (u User) HasUsablePassword() bool {
	return u.PasswordHash != "" && !strings.HasPrefix(u.PasswordHash, UnusablePasswordPrefix)
}

// maxEmailLength is the longest address SMTP can carry (RFC 5321 path limit, less brackets).
const maxEmailLength = 254

// NormalizeEmail validates an optional email address and lower-cases its domain part, as
// Django's BaseUserManager.normalize_email does. An empty address is allowed. net/mail admits
// any non-ASCII rune, so control and format characters (C1 controls such as CSI, bidi
// overrides, zero-width spaces) are refused here: an address is shown to operators, and
// such a rune could drive their terminal or disguise the address.
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", nil
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > maxEmailLength ||
		strings.IndexFunc(email, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", NewValidationError("email", "Enter a valid email address.")
	}
	at := strings.LastIndexByte(email, '@')
	return email[:at] + "@" + strings.ToLower(email[at+1:]), nil
}

// EmailRule says whether a write may give a user an address that another user already has.
// Addresses are compared by EmailKey; an empty address never conflicts.
type EmailRule int

const (
	// EmailShared lets users share an address, as imported Django users may.
	EmailShared EmailRule = iota
	// EmailUnique refuses an address that any other user has, whichever rule that user's
	// address was written under, with ErrEmailTaken.
	EmailUnique
)

// EmailKey is what addresses are looked up by (a password reset asked for by address):
// NFKC, case-folded, NFKC again, over the whole address, so "Alice@Example.com" and
// "ａｌｉｃｅ@example.com" find the same accounts. RFC 5321 lets a server treat local parts
// case-sensitively, but no mail provider in use does, and users do not remember which case
// they typed; Django's PasswordResetForm also matches the address case-insensitively
// (email__iexact). It is also what EmailUnique compares. Addresses written under EmailShared
// (imported Django users) may share one, so a key finds any number of users.
func EmailKey(email string) string {
	folded := cases.Fold().String(norm.NFKC.String(strings.TrimSpace(email)))
	return norm.NFKC.String(folded)
}
