package domain_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestMailDomain(t *testing.T) {
	for addr, want := range map[string]string{
		"ada@Example.COM":          "example.com",
		"Ada <ada@example.org>":    "example.org",
		"\"a@b\"@mail.example.net": "mail.example.net",
		"no-at-sign":               "",
		"":                         "",
	} {
		if got := domain.MailDomain(addr); got != want {
			t.Errorf("MailDomain(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestMailKindsWithLinks(t *testing.T) {
	links := map[domain.MailKind]bool{
		domain.MailVerifyEmail: true, domain.MailPasswordReset: true, domain.MailEmailChangeConfirm: true,
		domain.MailEmailChangeNotice: false, domain.MailPasswordChanged: false, domain.MailEmailChanged: false,
	}
	if len(domain.MailKinds()) != len(links) {
		t.Fatalf("MailKinds() = %v, want the %d kinds of issue #15", domain.MailKinds(), len(links))
	}
	for _, k := range domain.MailKinds() {
		if k.HasLink() != links[k] {
			t.Errorf("%s.HasLink() = %v, want %v", k, k.HasLink(), links[k])
		}
	}
}
