package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// The forms shown before login (login, signup) have no session to derive a CSRF token from.
// They use a signed double-submit token (OWASP CSRF cheat sheet, "Signed Double-Submit
// Cookie"): the browser's formcsrf cookie holds a random nonce, and the form's hidden field
// holds HMAC-SHA256(server key, label + nonce). A plain double submit accepts any value that
// the cookie and the field share, so whoever can plant a cookie on the site (a sibling
// subdomain, a plain-HTTP response) can forge both; here the field can only come from the
// server, and a made-up pair is refused.
//
// What the signature does not stop: an attacker who plants a whole genuine pair, taken from
// our own login page. The Origin check (OriginPolicy) and the __Host- cookie prefix, which
// stops the planting, guard that case.

// FormNonceLen is the length of a form nonce: 256 random bits in unpadded base64url.
const FormNonceLen = 43

// formTokenLabel separates form-token MACs from every other use of the server keys.
const formTokenLabel = "gatehouse form csrf v1\x00"

// NewFormNonce encodes random bytes as the nonce of a formcsrf cookie.
func NewFormNonce(random [SecretBytes]byte) string {
	return base64.RawURLEncoding.EncodeToString(random[:])
}

// ValidFormNonce reports whether s could be a nonce NewFormNonce made.
func ValidFormNonce(s string) bool {
	if len(s) != FormNonceLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// FormToken returns the hidden-field token of nonce, signed with the first key. It must not
// be called on empty keys.
func (k ServerKeys) FormToken(nonce string) string {
	return base64.RawURLEncoding.EncodeToString(formMAC(k.keys[0], nonce))
}

// CheckFormToken verifies the token a form posted against the nonce of its cookie ("" when the
// cookie is absent), under every key, comparing in constant time. The reasons are Django's.
func (k ServerKeys) CheckFormToken(nonce, got string) error {
	if got == "" {
		return &CSRFError{Reason: "CSRF token missing."}
	}
	if nonce == "" {
		return &CSRFError{Reason: "CSRF cookie not set."}
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(got)
	if err != nil || len(mac) != sha256.Size || !ValidFormNonce(nonce) {
		return &CSRFError{Reason: "CSRF token incorrect."}
	}
	ok := 0
	for _, key := range k.keys {
		ok |= subtle.ConstantTimeCompare(formMAC(key, nonce), mac)
	}
	if ok != 1 {
		return &CSRFError{Reason: "CSRF token incorrect."}
	}
	return nil
}

func formMAC(key []byte, nonce string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(formTokenLabel))
	m.Write([]byte(nonce))
	return m.Sum(nil)
}
