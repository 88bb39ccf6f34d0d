package domain_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestUserKeyIsUsernameKey(t *testing.T) {
	for _, name := range []string{"Alice", "ＡＬＩＣＥ", "straße"} {
		u := domain.User{Username: name}
		if got, want := u.Key(), domain.UsernameKey(name); got != want {
			t.Errorf("User{Username: %q}.Key() = %q, want %q", name, got, want)
		}
	}
}

func TestNormalizeEmailAcceptsValidAddresses(t *testing.T) {
	longest := "a@" + strings.Repeat("b", 248) + ".com" // 254 bytes
	tests := []struct {
		name, in, want string
	}{
		{"empty is allowed", "", ""},
		{"blank is empty", "   ", ""},
		{"lower case unchanged", "alice@example.com", "alice@example.com"},
		{"domain lower-cased, local part kept", "Alice.Smith@EXAMPLE.COM", "Alice.Smith@example.com"},
		{"surrounding space trimmed", "  bob@example.org\t", "bob@example.org"},
		{"plus addressing", "bob+tag@Example.org", "bob+tag@example.org"},
		{"unicode local part", "josé@EXAMPLE.com", "josé@example.com"},
		{"254 bytes", longest, longest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeEmail(tt.in)
			if err != nil {
				t.Fatalf("NormalizeEmail(%q) error = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeEmailRejectsInvalidAddresses(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"no at sign", "a"},
		{"no domain", "a@"},
		{"no local part", "@example.com"},
		{"display name", "Name <a@b.c>"},
		{"angle brackets", "<a@b.c>"},
		{"two addresses", "a@b.c, d@e.f"},
		{"space in local part", "a b@c.d"},
		{"trailing dot in local part", "a.@b.c"},
		{"255 bytes", "a@" + strings.Repeat("b", 249) + ".com"},
		// net/mail admits any non-ASCII rune; these would reach an operator's terminal
		// through gatehouse user list.
		{"C1 control (CSI)", "a\u009b31mb@example.com"},
		{"bidi override", "a\u202egro.elpmaxe@example.com"},
		{"zero-width space", "a\u200bb@example.com"},
		{"non-printable in the domain", "a@exa\u0085mple.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeEmail(tt.in)
			fieldMessages(t, err, "email")
			if got != "" {
				t.Errorf("NormalizeEmail(%q) = %q alongside an error, want \"\"", tt.in, got)
			}
		})
	}
}

func TestEmailKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Alice@Example.com", "alice@example.com"},
		{"ＡＬＩＣＥ@example.com", "alice@example.com"},
		{" alice@example.com ", "alice@example.com"},
		{"straße@example.de", "strasse@example.de"},
	}
	for _, tt := range tests {
		if ka, kb := domain.EmailKey(tt.a), domain.EmailKey(tt.b); ka != kb {
			t.Errorf("EmailKey(%q) = %q, EmailKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
		}
	}
	if domain.EmailKey("alice@example.com") == domain.EmailKey("alice@example.org") {
		t.Error("different addresses share a key")
	}
}
