package ports

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// Mailer sends mail for the use cases. Delivery happens after Send returns: a slow or broken
// mail server never slows or changes the caller's answer.
type Mailer interface {
	// Enabled reports whether mail can be sent at all. When it is false (no SMTP server is
	// configured), features that need mail are off: their endpoints answer 404 and the
	// pages do not offer them.
	Enabled() bool
	// Send hands m over for delivery and returns at once. It reports nothing: a failure is
	// logged and counted by the implementation, never turned into another answer, so an
	// answer cannot tell a caller whether an address has an account or whether its mail
	// went out (OWASP Forgot Password Cheat Sheet: the same response in every case). ctx
	// only identifies the request in logs; delivery outlives it. Mail that is off drops m.
	Send(ctx context.Context, m domain.Mail)
}

// MailRenderer turns a mail into the message to send.
type MailRenderer interface {
	// Render returns m's subject, plain text and HTML. An error means m is malformed (an
	// unknown kind, a missing or absolute link): templates are checked when the renderer
	// is made.
	Render(m domain.Mail) (domain.Message, error)
}

// MailTransport delivers rendered messages to a mail server, one at a time, synchronously.
type MailTransport interface {
	// Deliver hands msg to the server before ctx ends. It returns an error wrapping
	// domain.ErrUnavailable when the server cannot be reached, does not answer in time or
	// refuses for now (SMTP 4xx: worth retrying), and one wrapping domain.ErrMailRejected
	// when it refuses for good (SMTP 5xx). Errors never hold the recipient or the body.
	Deliver(ctx context.Context, msg domain.Message) error
}
