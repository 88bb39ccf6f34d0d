package gatehouse

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// mailConfig is the default configuration with mail on, through the SMTP server at url.
func mailConfig(url string) Config {
	cfg := DefaultConfig()
	cfg.Mail.SMTP.URL = url
	cfg.Mail.SMTP.From = "Gatehouse <no-reply@gatehouse.example>"
	cfg.Mail.PublicURL = "http://127.0.0.1:8080"
	return cfg
}

// counter reads gatehouse_mails_total{kind,outcome}.
func counter(t *testing.T, g prometheus.Gatherer, kind domain.MailKind, outcome domain.MailOutcome) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "gatehouse_mails_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == string(kind) && labels["outcome"] == string(outcome) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// waitCounter waits until gatehouse_mails_total{kind,outcome} reaches want.
func waitCounter(t *testing.T, g prometheus.Gatherer, kind domain.MailKind, outcome domain.MailOutcome, want float64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for counter(t, g, kind, outcome) < want {
		if time.Now().After(deadline) {
			t.Fatalf("gatehouse_mails_total{kind=%s,outcome=%s} did not reach %v", kind, outcome, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuffer is a log destination the queue's workers and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMailerDeliversThroughMailpit assembles the mailer as serve does and sends a mail
// through a real SMTP server: rendered from the templates, both parts, links on the
// public URL.
func TestMailerDeliversThroughMailpit(t *testing.T) {
	mp := testenv.MailpitServer(t)
	to := mp.Mailbox(t)
	cfg := mailConfig("smtp://" + mp.SMTPAddr)
	m := prommetrics.New()
	var logs syncBuffer
	mailer, closeMailer, err := newMailer(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), m)
	if err != nil {
		t.Fatal(err)
	}
	defer closeMailer()
	if !mailer.Enabled() {
		t.Fatal("mailer is off with GATEHOUSE_SMTP_URL set")
	}
	mailer.Send(context.Background(), domain.Mail{Kind: domain.MailVerifyEmail, To: to, Username: "ada",
		Link: "/account/verify?token=SECRET-TOKEN"})
	got := mp.WaitMessage(t, to, 30*time.Second)
	link := "http://127.0.0.1:8080/account/verify?token=SECRET-TOKEN"
	if got.From.Address != "no-reply@gatehouse.example" || len(got.To) != 1 || got.To[0].Address != to ||
		!strings.Contains(got.Subject, "Gatehouse") {
		t.Errorf("From %+v, To %+v, Subject %q", got.From, got.To, got.Subject)
	}
	if !strings.Contains(got.Text, link) || !strings.Contains(got.Text, "ada") {
		t.Errorf("text lacks the link or the name:\n%s", got.Text)
	}
	if !strings.Contains(got.HTML, `href="`+link+`"`) {
		t.Errorf("HTML lacks the link:\n%s", got.HTML)
	}
	waitCounter(t, m.Gatherer(), domain.MailVerifyEmail, domain.MailSent, 1)
	if out := logs.String(); strings.Contains(out, "SECRET-TOKEN") || strings.Contains(out, to) {
		t.Errorf("log shows the link or the address:\n%s", out)
	}
}

// TestMailerSlowServer: a server that accepts and never answers does not hold up Send; the
// mail is counted as failed once its tries have timed out.
func TestMailerSlowServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var held []net.Conn // accepted, never answered, closed when the test ends
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	cfg := mailConfig("smtp://u:hunter2@" + ln.Addr().String())
	cfg.Mail.Queue.Attempts, cfg.Mail.Queue.AttemptTimeout, cfg.Mail.Queue.Backoff = 2, 200*time.Millisecond, 10*time.Millisecond
	cfg.Mail.SMTP.Timeout = cfg.Mail.Queue.AttemptTimeout
	m := prommetrics.New()
	var logs syncBuffer
	mailer, closeMailer, err := newMailer(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), m)
	if err != nil {
		t.Fatal(err)
	}
	defer closeMailer()
	mailer.Send(context.Background(), domain.Mail{Kind: domain.MailPasswordReset, To: "ada@example.org",
		Link: "/account/reset?token=SECRET-TOKEN"})
	// Send has returned, and no try can have timed out yet: the mail is still on its way.
	if n := counter(t, m.Gatherer(), domain.MailPasswordReset, domain.MailFailed); n != 0 {
		t.Fatalf("failed = %v as Send returned, want 0: Send waited for the server", n)
	}
	waitCounter(t, m.Gatherer(), domain.MailPasswordReset, domain.MailFailed, 1)
	out := logs.String()
	for _, secret := range []string{"SECRET-TOKEN", "hunter2", "ada@"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"to_domain":"example.org"`) {
		t.Errorf("log does not say which domain the lost mail was for:\n%s", out)
	}
}

func TestMailerOffWithoutSMTP(t *testing.T) {
	cfg := DefaultConfig()
	mailer, closeMailer, err := newMailer(cfg, slog.New(slog.DiscardHandler), prommetrics.New())
	if err != nil {
		t.Fatal(err)
	}
	defer closeMailer()
	if mailer.Enabled() {
		t.Error("mailer is on without GATEHOUSE_SMTP_URL")
	}
	var logs syncBuffer
	logMail(cfg, mailer, slog.New(slog.NewTextHandler(&logs, nil)))
	if out := logs.String(); strings.Count(out, "mail is off") != 1 {
		t.Errorf("start-up log:\n%s\nwant one line saying mail is off", out)
	}
}
