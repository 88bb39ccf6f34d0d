package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// A login ticket carries a login from the right password to its second factor: the first
// step answers with it instead of a session or token, and the second step presents it with
// a code. It is a OneTimeCode of PurposeMFATicket like any mailed link — a secret with its
// own prefix, stored only as its hash, short-lived and used once — so a ticket proves only
// that the password was right, a few minutes ago, once.
const (
	// MFATicketPrefix marks the secret of a login ticket.
	MFATicketPrefix = "gtm_"
	// MFATicketTTL is how long a ticket is valid: time to open an authenticator app and type
	// a code, not more.
	MFATicketTTL = 5 * time.Minute
)

// ValidMFATicketSecret reports whether s is well-formed as the secret of a login ticket.
func ValidMFATicketSecret(s string) bool { return checkSecret(MFATicketPrefix, s) }

// MFATicketAttempts is how many wrong codes one ticket survives: the ticket is consumed by
// each attempt and stored again after a wrong code until this many were tried, so a ticket
// gives a guesser no more than a few tries, on top of the login throttle.
const MFATicketAttempts = 5

// MFATicket is what a login ticket remembers of the first step, so the second answers as the
// first would have: the kind of login (MethodSession or MethodToken), the token's name, the
// wrong codes tried so far, and a tag of the password hash the first step verified (see
// PasswordTag), so a password changed meanwhile voids the ticket.
//
// It travels in the Data of the ticket's OneTimeCode. (Tickets made before codes had Data
// carried it in their Email field; TicketState reads either for the five minutes they live.)
type MFATicket struct {
	Method      AuthMethod
	TokenName   string
	Attempts    int
	PasswordTag string
}

// mfaTicketVersion starts an encoded MFATicket.
const mfaTicketVersion = "mfa1"

// Encode writes t as ParseMFATicket reads it: at most 4+8+3+16+MaxTokenNameLength runes.
func (t MFATicket) Encode() string {
	return strings.Join([]string{mfaTicketVersion, string(t.Method), strconv.Itoa(t.Attempts), t.PasswordTag, t.TokenName}, " ")
}

// ParseMFATicket reads what Encode wrote, or reports false.
func ParseMFATicket(s string) (MFATicket, bool) {
	parts := strings.SplitN(s, " ", 5)
	if len(parts) != 5 || parts[0] != mfaTicketVersion {
		return MFATicket{}, false
	}
	n, err := strconv.Atoi(parts[2])
	m := AuthMethod(parts[1])
	if err != nil || n < 0 || (m != MethodSession && m != MethodToken) {
		return MFATicket{}, false
	}
	return MFATicket{Method: m, Attempts: n, PasswordTag: parts[3], TokenName: parts[4]}, true
}

// TicketState returns the encoded MFATicket a ticket's code carries.
func TicketState(c OneTimeCode) string {
	if len(c.Data) > 0 {
		return string(c.Data)
	}
	return c.Email
}

// PasswordTag is a short digest of a stored password hash: equal tags mean, but for a chance
// of 2^-64, the same hash. It reveals nothing usable about the hash.
func PasswordTag(hash string) string {
	sum := sha256.Sum256([]byte("gatehouse password tag\x00" + hash))
	return hex.EncodeToString(sum[:8])
}

// SecondFactorRequiredError is the answer to a right password for an account with a second
// factor: no session or token yet, but a ticket to present with a code (MFATicketPrefix).
type SecondFactorRequiredError struct {
	Ticket  string
	Factors []FactorKind
	// PasskeyOptions are the options (JSON, for navigator.credentials.get) of a passkey
	// as the second step; nil when the account has no passkey.
	PasskeyOptions []byte
}

func (e *SecondFactorRequiredError) Error() string { return "a second factor is required" }
