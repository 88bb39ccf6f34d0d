package domain

// The email change (issue #15): a signed-in user asks for a new address, a link goes to it,
// and the change applies only once the link is followed. What it adds to the shared models
// (secrets, mails, audit events) is kept here, so the feature reads in one place.

// EmailChangePrefix marks the secret of an email change confirmation link (a OneTimeCode of
// PurposeEmailChange), in the format of every Gatehouse secret (see TokenPrefix).
const EmailChangePrefix = "gtc_"

// ValidEmailChangeSecret reports whether s is well-formed as the secret of an email change
// link. It does not say the link exists.
func ValidEmailChangeSecret(s string) bool { return checkSecret(EmailChangePrefix, s) }

// MailEmailChanged tells the old address that the account's address was changed to NewEmail:
// the last word the old inbox gets, so an owner whose account was taken over learns of it.
const MailEmailChanged MailKind = "email-changed"

// The audit events of an email change. Neither names an address: the audit log identifies
// people by user id only.
const (
	// AuditEmailChangeRequested records a confirmation link sent to a new address, after
	// the password was given again.
	AuditEmailChangeRequested AuditEvent = "email_change_requested"
	// AuditEmailChanged records an account's address replaced, through a confirmed link or
	// by an operator; the new address counts as verified.
	AuditEmailChanged AuditEvent = "email_changed"
)
