// Package mailsmtp delivers mail to an SMTP server with github.com/wneessen/go-mail, which
// does STARTTLS, SMTP AUTH and MIME. It only delivers: rendering is mailtmpl's, and queueing
// and retrying are the caller's.
package mailsmtp

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/gatehouse/gatehouse/domain"
)

// Config says where and as whom to deliver.
type Config struct {
	// URL is smtp://user:pass@host:587 (STARTTLS required, except to a loopback address) or
	// smtps://user:pass@host:465 (TLS from the first byte). It holds a password: never log it.
	URL string
	// From is the sender, an address such as "Gatehouse <no-reply@example.com>".
	From string
	// Timeout bounds one delivery: connecting, the whole SMTP dialogue, and each read and
	// write, so a server that accepts and never answers costs at most this long.
	Timeout time.Duration
}

// Transport delivers messages to one SMTP server; it implements ports.MailTransport. Each
// delivery opens its own connection: mail is rare (a signup, a reset), and a connection kept
// open would be one more thing that breaks while idle.
type Transport struct {
	server Server
	cfg    Config
}

// New checks cfg and returns a transport; it does not connect.
func New(cfg Config) (*Transport, error) {
	s, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("mail sender %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		return nil, errors.New("mail: the delivery timeout must be positive")
	}
	return &Transport{server: s, cfg: cfg}, nil
}

// client makes a go-mail client for one delivery.
func (t *Transport) client() (*gomail.Client, error) {
	s := t.server
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(t.cfg.Timeout), gomail.WithTLSPolicy(s.TLSPolicy())}
	if s.Security == ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if s.Username != "" {
		// The strongest mechanism the server offers; go-mail refuses PLAIN and LOGIN over an
		// unencrypted connection to anything but a loopback address.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.password))
	}
	return gomail.NewClient(s.Host, opts...)
}

// Deliver implements ports.MailTransport.
func (t *Transport) Deliver(ctx context.Context, msg domain.Message) error {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(t.cfg.From); err != nil {
		return fmt.Errorf("mail sender: %w", err)
	}
	if err := m.To(msg.To); err != nil {
		// Not wrapped: go-mail's error quotes the address.
		return fmt.Errorf("%w: recipient is not a valid address", domain.ErrMailRejected)
	}
	m.Subject(msg.Subject)
	m.SetMessageID()
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	c, err := t.client()
	if err != nil {
		return fmt.Errorf("mail client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	return translate(c.DialAndSendWithContext(ctx, m))
}

// translate turns go-mail's errors into the port's: a permanent SMTP refusal (5xx) becomes
// domain.ErrMailRejected, anything else (no connection, a timeout, a 4xx) domain.ErrUnavailable.
// A SendError's text lists the recipients, so only its code and reason are kept.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if !se.IsTemp() && code >= 500 && code < 600 {
			return fmt.Errorf("%w: SMTP %d (%s)", domain.ErrMailRejected, code, reason(se))
		}
		return fmt.Errorf("%w: mail server: SMTP %d (%s)", domain.ErrUnavailable, code, reason(se))
	}
	return fmt.Errorf("%w: mail server: %v", domain.ErrUnavailable, err)
}

func reason(se *gomail.SendError) string {
	if s := se.EnhancedStatusCode(); s != "" {
		return s
	}
	return fmt.Sprintf("reason %d", se.Reason)
}
