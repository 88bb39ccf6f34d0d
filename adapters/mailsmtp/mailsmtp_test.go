package mailsmtp_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/mailsmtp"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

func newTransport(t *testing.T, url string, timeout time.Duration) *mailsmtp.Transport {
	t.Helper()
	tr, err := mailsmtp.New(mailsmtp.Config{URL: url, From: "Gatehouse <no-reply@gatehouse.example>", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestDeliverThroughMailpit sends a text and HTML mail through a real SMTP server and reads
// it back as it arrived.
func TestDeliverThroughMailpit(t *testing.T) {
	mp := testenv.MailpitServer(t)
	to := mp.Mailbox(t)
	tr := newTransport(t, "smtp://"+mp.SMTPAddr, 10*time.Second)
	msg := domain.Message{To: to, Subject: "Confirm your address – Gatehouse",
		Text: "Open https://auth.example.com/v?token=abc\n", HTML: `<p><a href="https://auth.example.com/v?token=abc">Confirm</a></p>`}
	if err := tr.Deliver(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := mp.WaitMessage(t, to, 10*time.Second)
	if got.From.Address != "no-reply@gatehouse.example" || got.From.Name != "Gatehouse" {
		t.Errorf("From = %+v", got.From)
	}
	if len(got.To) != 1 || got.To[0].Address != to {
		t.Errorf("To = %+v, want %s", got.To, to)
	}
	if got.Subject != msg.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, msg.Subject)
	}
	if strings.TrimSpace(got.Text) != strings.TrimSpace(msg.Text) {
		t.Errorf("Text = %q, want %q", got.Text, msg.Text)
	}
	if !strings.Contains(got.HTML, `href="https://auth.example.com/v?token=abc"`) {
		t.Errorf("HTML = %q", got.HTML)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []mailsmtp.Config{
		{URL: "http://mail.example.com", From: "a@example.com", Timeout: time.Second},
		{URL: "smtp://mail.example.com", From: "not an address", Timeout: time.Second},
		{URL: "smtp://mail.example.com", From: "a@example.com"},
	} {
		if _, err := mailsmtp.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted it", cfg)
		}
	}
}

// TestDeliverToSilentServer: a server that accepts the connection and never answers costs
// one timeout and is unavailable, not a hang.
func TestDeliverToSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	tr := newTransport(t, "smtp://"+ln.Addr().String(), 200*time.Millisecond)
	err = tr.Deliver(context.Background(), domain.Message{To: "a@example.com", Subject: "s", Text: "t", HTML: "h"})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Deliver = %v, want ErrUnavailable", err)
	}
}

// fakeSMTP answers a scripted SMTP dialogue, replying rcpt to RCPT TO.
func fakeSMTP(t *testing.T, rcpt string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				reply := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
				reply("220 fake ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.SplitN(strings.TrimSpace(line), " ", 2)[0]); cmd {
					case "EHLO", "HELO":
						reply("250 fake")
					case "RCPT":
						reply(rcpt)
					case "QUIT":
						reply("221 bye")
						return
					default:
						reply("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestDeliverTranslatesRefusals: a 5xx is for good, a 4xx worth retrying; neither error
// names the recipient.
func TestDeliverTranslatesRefusals(t *testing.T) {
	tests := []struct {
		reply string
		want  error
	}{
		{"550 5.1.1 no such user", domain.ErrMailRejected},
		{"451 4.3.0 try again later", domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.reply, func(t *testing.T) {
			tr := newTransport(t, "smtp://"+fakeSMTP(t, tt.reply), 5*time.Second)
			err := tr.Deliver(context.Background(), domain.Message{To: "victim@example.com", Subject: "s", Text: "t", HTML: "h"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Deliver = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "victim") {
				t.Errorf("error %q names the recipient", err)
			}
		})
	}
}
