package mailsmtp_test

import (
	"strings"
	"testing"

	gomail "github.com/wneessen/go-mail"

	"github.com/gatehouse/gatehouse/adapters/mailsmtp"
)

// TestParseURLChoosesTLS: smtp:// demands STARTTLS (go-mail's TLSMandatory) from every
// server but a loopback one; smtps:// is TLS from the first byte.
func TestParseURLChoosesTLS(t *testing.T) {
	tests := []struct {
		url      string
		addr     string
		security mailsmtp.Security
		policy   gomail.TLSPolicy
		user     string
	}{
		{"smtp://user:pw@mail.example.com:587", "mail.example.com:587", mailsmtp.StartTLS, gomail.TLSMandatory, "user"},
		{"smtp://mail.example.com", "mail.example.com:587", mailsmtp.StartTLS, gomail.TLSMandatory, ""},
		{"SMTP://mail.example.com:25", "mail.example.com:25", mailsmtp.StartTLS, gomail.TLSMandatory, ""},
		{"smtp://10.0.0.5:25", "10.0.0.5:25", mailsmtp.StartTLS, gomail.TLSMandatory, ""},
		{"smtp://127.0.0.1:1025", "127.0.0.1:1025", mailsmtp.LoopbackPlain, gomail.TLSOpportunistic, ""},
		{"smtp://127.8.9.10:25", "127.8.9.10:25", mailsmtp.LoopbackPlain, gomail.TLSOpportunistic, ""},
		{"smtp://[::1]:1025", "[::1]:1025", mailsmtp.LoopbackPlain, gomail.TLSOpportunistic, ""},
		{"smtp://localhost:1025", "localhost:1025", mailsmtp.LoopbackPlain, gomail.TLSOpportunistic, ""},
		{"smtp://localhost.evil.example:25", "localhost.evil.example:25", mailsmtp.StartTLS, gomail.TLSMandatory, ""},
		{"smtps://u%40x:p%3Aw@mail.example.com", "mail.example.com:465", mailsmtp.ImplicitTLS, gomail.TLSMandatory, "u@x"},
		{"smtps://127.0.0.1:465", "127.0.0.1:465", mailsmtp.ImplicitTLS, gomail.TLSMandatory, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := mailsmtp.ParseURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if s.Addr() != tt.addr || s.Security != tt.security || s.TLSPolicy() != tt.policy || s.Username != tt.user {
				t.Errorf("ParseURL = %s %v %v %q, want %s %v %v %q", s.Addr(), s.Security, s.TLSPolicy(), s.Username,
					tt.addr, tt.security, tt.policy, tt.user)
			}
			if strings.Contains(s.String(), "pw") || strings.Contains(s.String(), "p:w") {
				t.Errorf("String() = %q shows the password", s.String())
			}
		})
	}
}

func TestParseURLRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{
		"", "mail.example.com:587", "http://mail.example.com", "smtp://", "smtp://:pw@mail.example.com",
		"smtp://mail.example.com:0", "smtp://mail.example.com:99999", "smtp://mail.example.com/inbox",
		"smtp://mail.example.com?tls=off", "smtp://u:secretpw@mail.example.com:x",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := mailsmtp.ParseURL(raw)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "secretpw") || strings.Contains(err.Error(), "pw@") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}
