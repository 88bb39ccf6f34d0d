package gatehouse

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/adapters/mailsmtp"
	"github.com/gatehouse/gatehouse/adapters/mailtmpl"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/ports"
)

// Mail is the mail configuration. Without an SMTP URL mail is off, and so is every feature
// that needs it.
type Mail struct {
	SMTP      mailsmtp.Config
	PublicURL string // the origin links in mails point to
	Templates string // a directory of template overrides, or ""
	Queue     app.MailQueueSettings
}

// Enabled reports whether an SMTP server is configured.
func (m Mail) Enabled() bool { return m.SMTP.URL != "" }

// mailDrainTimeout bounds how long shutdown waits for queued mail, after the HTTP server
// has stopped taking requests.
const mailDrainTimeout = 5 * time.Second

// newMailer returns the mail sender: a queue that renders from the templates and delivers
// over SMTP, measured, or app.MailOff when no SMTP server is configured. One provider with
// a choice rather than an injector per case: neither case opens a connection at start-up.
// The cleanup drains the queue for at most mailDrainTimeout.
func newMailer(cfg Config, log *slog.Logger, m *prommetrics.Metrics) (ports.Mailer, func(), error) {
	if !cfg.Mail.Enabled() {
		return app.MailOff{}, func() {}, nil
	}
	r, err := mailtmpl.New(cfg.Mail.Templates, cfg.Mail.PublicURL)
	if err != nil {
		return nil, nil, err
	}
	tr, err := mailsmtp.New(cfg.Mail.SMTP)
	if err != nil {
		return nil, nil, err
	}
	q := app.NewMailQueue(r, m.MailTransport(tr), cfg.Mail.Queue, log)
	m.MailQueue(q)
	return q, func() {
		ctx, cancel := context.WithTimeout(context.Background(), mailDrainTimeout)
		defer cancel()
		q.Close(ctx)
	}, nil
}

// logMail says once at start-up whether mail is on, and where it goes (never the password).
func logMail(cfg Config, mailer ports.Mailer, log *slog.Logger) {
	if !mailer.Enabled() {
		log.Info("mail is off: GATEHOUSE_SMTP_URL is not set, so features that send mail are not offered")
		return
	}
	s, _ := mailsmtp.ParseURL(cfg.Mail.SMTP.URL)
	log.Info("mail is on", slog.String("smtp", s.String()), slog.String("public_url", cfg.Mail.PublicURL))
}
