package mailtmpl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/mailtmpl"
	"github.com/gatehouse/gatehouse/domain"
)

const origin = "https://auth.example.com"

func newRenderer(t *testing.T, dir string) *mailtmpl.Renderer {
	t.Helper()
	r, err := mailtmpl.New(dir, origin)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRenderEveryKind(t *testing.T) {
	r := newRenderer(t, "")
	tests := []struct {
		kind    domain.MailKind
		link    string
		subject string // a word the subject holds
		text    string // a phrase the text holds
	}{
		{domain.MailVerifyEmail, "/account/verify?token=abc", "Confirm your email", "confirm that this is your email address"},
		{domain.MailPasswordReset, "/account/reset?token=abc", "Reset", "choose a new one"},
		{domain.MailEmailChangeConfirm, "/account/email?token=abc", "new email address", "new@example.net"},
		{domain.MailEmailChangeNotice, "", "being changed", "new@example.net"},
		{domain.MailPasswordChanged, "", "password was changed", "was just changed"},
		{domain.MailEmailChanged, "", "address was changed", "changed to new@example.net"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			msg, err := r.Render(domain.Mail{Kind: tt.kind, To: "ada@example.org", Username: "ada",
				Link: tt.link, NewEmail: "new@example.net"})
			if err != nil {
				t.Fatal(err)
			}
			if msg.To != "ada@example.org" {
				t.Errorf("To = %q", msg.To)
			}
			if !strings.Contains(msg.Subject, tt.subject) || !strings.Contains(msg.Subject, mailtmpl.Product) {
				t.Errorf("Subject = %q, want %q and the product name", msg.Subject, tt.subject)
			}
			for part, body := range map[string]string{"text": msg.Text, "HTML": msg.HTML} {
				if !strings.Contains(body, "ada") || !strings.Contains(body, mailtmpl.Product) || !strings.Contains(body, origin) {
					t.Errorf("%s lacks the username, the product or the public URL:\n%s", part, body)
				}
				if tt.link != "" && !strings.Contains(body, origin+tt.link) {
					t.Errorf("%s lacks the link %s:\n%s", part, origin+tt.link, body)
				}
			}
			if !strings.Contains(msg.Text, tt.text) {
				t.Errorf("text lacks %q:\n%s", tt.text, msg.Text)
			}
			if !strings.HasPrefix(msg.HTML, "<!DOCTYPE html>") {
				t.Errorf("HTML does not start with its doctype:\n%.80s", msg.HTML)
			}
		})
	}
}

// TestRenderEscapesUserInput: a username is text in the HTML part, and cannot add a header
// through the subject.
func TestRenderEscapesUserInput(t *testing.T) {
	r := newRenderer(t, "")
	msg, err := r.Render(domain.Mail{Kind: domain.MailVerifyEmail, To: "a@example.org",
		Username: `<script>x</script>`, Link: "/v?token=a&b=c"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg.HTML, "<script>") || !strings.Contains(msg.HTML, "&lt;script&gt;") {
		t.Errorf("username not escaped in HTML:\n%s", msg.HTML)
	}
	dir := t.TempDir()
	write(t, dir, "verify-email.txt", `{{define "subject"}}Hi {{.Username}}{{end}}{{.Link}}`)
	msg, err = newRenderer(t, dir).Render(domain.Mail{Kind: domain.MailVerifyEmail, To: "a@example.org",
		Username: "ada\r\nBcc: victim@example.net", Link: "/v?token=a"})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "Hi ada Bcc: victim@example.net" {
		t.Errorf("Subject = %q, want one line", msg.Subject)
	}
}

func TestRenderRefusesBadMail(t *testing.T) {
	r := newRenderer(t, "")
	tests := []struct {
		name string
		mail domain.Mail
	}{
		{"unknown kind", domain.Mail{Kind: "welcome", To: "a@example.org"}},
		{"missing link", domain.Mail{Kind: domain.MailPasswordReset, To: "a@example.org"}},
		{"absolute link", domain.Mail{Kind: domain.MailPasswordReset, To: "a@example.org", Link: "https://evil.example/r"}},
		{"scheme-relative link", domain.Mail{Kind: domain.MailPasswordReset, To: "a@example.org", Link: "//evil.example/r"}},
		{"backslash link", domain.Mail{Kind: domain.MailPasswordReset, To: "a@example.org", Link: `/\evil.example/r`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg, err := r.Render(tt.mail); err == nil {
				t.Errorf("Render = %+v, want an error", msg)
			}
		})
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOverrideFromDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "password-reset.txt", `{{define "subject"}}Acme password{{end}}Acme: {{.Link}}`)
	write(t, dir, "layout.html", `{{define "layout"}}<p>ACME</p>{{template "content" .}}{{end}}`)
	msg, err := newRenderer(t, dir).Render(domain.Mail{Kind: domain.MailPasswordReset, To: "a@example.org", Link: "/r?token=t"})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "Acme password" || msg.Text != "Acme: "+origin+"/r?token=t" {
		t.Errorf("override not used: %q %q", msg.Subject, msg.Text)
	}
	if !strings.HasPrefix(msg.HTML, "<p>ACME</p>") || !strings.Contains(msg.HTML, origin+"/r?token=t") {
		t.Errorf("layout override not used, or the embedded content lost:\n%s", msg.HTML)
	}
}

// TestBrokenOverrideRefusedAtStartUp: every override is parsed and rendered by New, so a
// mistake stops the process before the first mail rather than losing that mail.
func TestBrokenOverrideRefusedAtStartUp(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"syntax", "verify-email.txt", `{{define "subject"}}x{{end}}{{.Link`, "verify-email.txt"},
		{"unknown field", "verify-email.html", `{{define "title"}}t{{end}}{{define "content"}}{{.Lnk}}{{end}}`, "verify-email"},
		{"no subject", "password-changed.txt", `Your password changed`, "subject"},
		{"link dropped", "password-reset.html", `{{define "title"}}t{{end}}{{define "content"}}Click somewhere{{end}}`, "link"},
		{"empty body", "password-changed.txt", `{{define "subject"}}Changed{{end}}`, "empty"},
		{"misspelt name", "pasword-reset.txt", `{{define "subject"}}x{{end}}{{.Link}}`, "pasword-reset.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.file, tt.content)
			_, err := mailtmpl.New(dir, origin)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := mailtmpl.New(filepath.Join(t.TempDir(), "missing"), origin); err == nil {
		t.Error("New accepted a missing directory")
	}
}

func TestNewRefusesPublicURLThatIsNoOrigin(t *testing.T) {
	for _, u := range []string{"", "auth.example.com", "ftp://auth.example.com", "https://auth.example.com/app", "https://"} {
		if _, err := mailtmpl.New("", u); err == nil {
			t.Errorf("New(%q) accepted it", u)
		}
	}
}

// TestNoticesNameTheChange: each notice says when, from where and with which browser the
// change was made, and escapes the browser (a client's own string) in HTML.
func TestNoticesNameTheChange(t *testing.T) {
	r := newRenderer(t, "")
	at := time.Date(2026, 12, 6, 13, 4, 0, 0, time.FixedZone("CET", 3600))
	for _, kind := range []domain.MailKind{domain.MailPasswordChanged, domain.MailEmailChangeNotice, domain.MailEmailChanged} {
		t.Run(string(kind), func(t *testing.T) {
			msg, err := r.Render(domain.Mail{Kind: kind, To: "ada@example.org", Username: "ada",
				NewEmail: "new@example.net", At: at, IP: "203.0.113.9", UserAgent: "Firefox <b>"})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"2026-12-06 12:04 UTC", "203.0.113.9", "Firefox <b>"} {
				if !strings.Contains(msg.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, msg.Text)
				}
			}
			if !strings.Contains(msg.HTML, "Firefox &lt;b&gt;") {
				t.Errorf("HTML does not show the escaped browser:\n%s", msg.HTML)
			}
			plain, err := r.Render(domain.Mail{Kind: kind, To: "ada@example.org", Username: "ada", NewEmail: "new@example.net"})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plain.Text, "From:") || strings.Contains(plain.HTML, "<ul>") {
				t.Errorf("a notice without facts shows empty ones:\n%s", plain.Text)
			}
		})
	}
}
