package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MaxUsernameLength is Django's limit for auth.User.username, in characters.
const MaxUsernameLength = 150

// NormalizeUsername validates a username and returns its NFKC form, which is what is stored
// and shown. NFKC folds look-alike compatibility characters (full-width letters, ligatures)
// into one form, as Django's AbstractBaseUser.normalize_username does.
func NormalizeUsername(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", NewValidationError("username", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.")
	}
	name := norm.NFKC.String(raw)
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "", NewValidationError("username", "This field may not be blank.")
	case n > MaxUsernameLength:
		return "", NewValidationError("username", "Ensure this field has no more than 150 characters.")
	}
	for _, r := range name {
		if !usernameRune(r) {
			return "", NewValidationError("username", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.")
		}
	}
	return name, nil
}

func usernameRune(r rune) bool {
	switch r {
	case '@', '.', '+', '-', '_':
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// UsernameKey is the uniqueness key of a username: NFKC, case-folded, NFKC again (the
// NFKC_Casefold closure of Unicode §3.13), so "Alice", "ALICE" and "ａｌｉｃｅ" are one user.
// DRF compares usernames case-sensitively, a long-standing complaint this fixes.
func UsernameKey(username string) string {
	folded := cases.Fold().String(norm.NFKC.String(username))
	return norm.NFKC.String(strings.Map(cherokeeUpper, folded))
}

// cherokeeUpper folds Cherokee small letters to capitals, as Unicode's CaseFolding.txt does
// (Cherokee is the one script that folds to upper case). x/text's cases.Fold swaps the two
// cases instead (golang/go#46101), which would let "ᏣᎳᎩ" and "ꮳꮃꭹ" be two users.
func cherokeeUpper(r rune) rune {
	switch {
	case 0xAB70 <= r && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case 0x13F8 <= r && r <= 0x13FD:
		return r - 0x13F8 + 0x13F0
	}
	return r
}
