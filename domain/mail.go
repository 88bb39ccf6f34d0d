package domain

import (
	"errors"
	"strings"
	"time"
)

// MailKind names what a mail says. Each kind has its own templates (subject, plain text,
// HTML), so the use cases choose what to tell a person and never how it reads.
type MailKind string

// The kinds of mail Gatehouse sends over an account's life (issue #15).
const (
	// MailVerifyEmail asks the owner of a new address to confirm it through a link.
	MailVerifyEmail MailKind = "verify-email"
	// MailPasswordReset carries a link that lets the owner choose a new password.
	MailPasswordReset MailKind = "password-reset"
	// MailEmailChangeConfirm goes to a new address with a link that confirms the change.
	MailEmailChangeConfirm MailKind = "email-change-confirm"
	// MailEmailChangeNotice tells the old address that a change to NewEmail was asked for,
	// so an owner whose session was stolen learns of it (OWASP ASVS V2.5.x: notify on
	// credential changes).
	MailEmailChangeNotice MailKind = "email-change-notice"
	// MailPasswordChanged tells the owner that the password was changed.
	MailPasswordChanged MailKind = "password-changed"
)

// MailKinds returns every kind, for start-up checks of the templates and for metric labels.
func MailKinds() []MailKind {
	return []MailKind{MailVerifyEmail, MailPasswordReset, MailEmailChangeConfirm, MailEmailChangeNotice, MailPasswordChanged,
		MailEmailChanged}
}

// HasLink reports whether mails of kind k carry a link the reader must follow.
func (k MailKind) HasLink() bool {
	return k == MailVerifyEmail || k == MailPasswordReset || k == MailEmailChangeConfirm
}

// Mail is a mail a use case wants sent: to whom, of which kind, and the facts its templates
// need. Link is a path below the configured public URL, never an absolute address, so every
// link in every mail points at Gatehouse's own origin whatever a caller passes.
type Mail struct {
	Kind     MailKind
	To       string // one address
	Username string
	// Link is the path and query of the page the reader should open, starting with "/",
	// e.g. "/account/reset?token=…"; "" for kinds without a link. It may hold a secret: it
	// is never logged.
	Link string
	// NewEmail is the address asked for, for the email-change kinds.
	NewEmail string
	// At, IP and UserAgent say when and from which client the change a notice reports was
	// made (password-changed, email-change-notice), so the owner can tell whether it was them. Zero and "" omit.
	At        time.Time
	IP        string
	UserAgent string
}

// Message is a rendered mail, ready for a transport.
type Message struct {
	To, Subject, Text, HTML string
}

// MailOutcome is what became of a mail handed to the sender.
type MailOutcome string

// The outcomes of a mail.
const (
	// MailSent: the mail server accepted the mail.
	MailSent MailOutcome = "sent"
	// MailFailed: every attempt failed, or the server refused the mail for good.
	MailFailed MailOutcome = "failed"
	// MailDropped: never attempted, because the queue was full or the process was stopping.
	MailDropped MailOutcome = "dropped"
)

// MailOutcomes returns every outcome, for metric labels.
func MailOutcomes() []MailOutcome { return []MailOutcome{MailSent, MailFailed, MailDropped} }

// ErrMailRejected means the mail server refused a mail for good (an SMTP 5xx reply, such as
// an unknown recipient): sending it again cannot help.
var ErrMailRejected = errors.New("mail rejected by the server")

// MailDomain returns the part of addr after its last "@", lower-cased: what logs may say
// about a recipient without naming the person.
func MailDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimRight(addr[i+1:], "> "))
}
