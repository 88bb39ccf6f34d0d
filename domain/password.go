package domain

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Password policy limits. The byte cap bounds hashing cost and memory per request; 1024 bytes
// leaves room for any passphrase a person would type.
const (
	MinPasswordLength = 8
	MaxPasswordBytes  = 1024
	maxSimilarity     = 0.7
)

// commonPasswords is Django's list of 20,000 common passwords (as shipped by Django 3.2,
// BSD licence, from Royce Williams' compilation), lower-cased, one per line.
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("domain: embedded common-password list is corrupt: " + err.Error())
	}
	set := make(map[string]struct{}, 20000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			set[w] = struct{}{}
		}
	}
	if sc.Err() != nil {
		panic("domain: embedded common-password list is corrupt: " + sc.Err().Error())
	}
	return set
})

// CommonPasswordCount reports how many passwords the bundled list holds.
func CommonPasswordCount() int { return len(commonPasswords()) }

// ValidatePassword applies the password policy: Django's four default validators (minimum
// length, user-attribute similarity, common password, entirely numeric) plus a byte cap.
// Every rule that fails adds its own message under "password", so a user fixes them all at once.
func ValidatePassword(password, username, email string) error {
	var verr ValidationError
	add := func(msg string) { verr.Add("password", msg) }
	if !utf8.ValidString(password) {
		add("This password contains invalid characters.")
		return verr.Err()
	}
	if len(password) > MaxPasswordBytes {
		add("This password is too long. It must contain at most 1024 bytes.")
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		add("This password is too short. It must contain at least 8 characters.")
	}
	if attr := similarAttribute(password, username, email); attr != "" {
		add("The password is too similar to the " + attr + ".")
	}
	if _, common := commonPasswords()[strings.ToLower(strings.TrimSpace(password))]; common {
		add("This password is too common.")
	}
	if password != "" && strings.IndexFunc(password, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		add("This password is entirely numeric.")
	}
	return verr.Err()
}

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}_]+`)

// similarAttribute returns "username" or "email address" when the password is too similar to
// that attribute or any word in it, measured as Django's UserAttributeSimilarityValidator does.
func similarAttribute(password, username, email string) string {
	pw := strings.ToLower(password)
	for _, attr := range []struct{ name, value string }{{"username", username}, {"email address", email}} {
		if attr.value == "" {
			continue
		}
		value := strings.ToLower(attr.value)
		for _, part := range append(nonWord.Split(value, -1), value) {
			if part == "" || lengthRatioExceeded(pw, part) {
				continue
			}
			if quickRatio(pw, part) >= maxSimilarity {
				return attr.name
			}
		}
	}
	return ""
}

// lengthRatioExceeded skips the comparison when the password is so much longer than the
// attribute that it cannot be similar (Django 4.2's exceeds_maximum_length_ratio).
func lengthRatioExceeded(password, value string) bool {
	pl, vl := utf8.RuneCountInString(password), utf8.RuneCountInString(value)
	return pl >= 10*vl && float64(vl) < maxSimilarity/2*float64(pl)
}

// quickRatio is difflib.SequenceMatcher.quick_ratio: twice the number of characters the two
// strings share (as multisets) over their total length.
func quickRatio(a, b string) float64 {
	counts := map[rune]int{}
	for _, r := range b {
		counts[r]++
	}
	matches, total := 0, 0
	for _, r := range a {
		total++
		if counts[r] > 0 {
			counts[r]--
			matches++
		}
	}
	total += utf8.RuneCountInString(b)
	if total == 0 {
		return 1
	}
	return 2 * float64(matches) / float64(total)
}
