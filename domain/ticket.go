package domain

import "time"

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
