package domain_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
)

func TestMFATicketRoundTrip(t *testing.T) {
	long := strings.Repeat("é", domain.MaxTokenNameLength)
	for _, in := range []domain.MFATicket{
		{Method: domain.MethodSession, PasswordTag: domain.PasswordTag("h")},
		{Method: domain.MethodToken, TokenName: "my laptop ", Attempts: 4, PasswordTag: domain.PasswordTag("h")},
		{Method: domain.MethodToken, TokenName: long, Attempts: domain.MFATicketAttempts, PasswordTag: domain.PasswordTag("h")},
	} {
		enc := in.Encode()
		if n := utf8.RuneCountInString(enc); n > 254 {
			t.Errorf("%d characters do not fit a code's Email field", n)
		}
		got, ok := domain.ParseMFATicket(enc)
		if !ok || got != in {
			t.Errorf("ParseMFATicket(Encode(%+v)) = %+v, %v", in, got, ok)
		}
	}
}

func TestParseMFATicketRefusesOtherText(t *testing.T) {
	for _, s := range []string{"", "alice@example.com", "mfa1 basic 0 tag name", "mfa1 token -1 tag ", "mfa2 token 0 tag "} {
		if _, ok := domain.ParseMFATicket(s); ok {
			t.Errorf("ParseMFATicket(%q) is ok", s)
		}
	}
}

func TestPasswordTagTellsHashesApart(t *testing.T) {
	a, again := "$argon2id$a", "$argon2id$"+"a"
	if domain.PasswordTag(a) == domain.PasswordTag("$argon2id$b") || domain.PasswordTag(a) != domain.PasswordTag(again) {
		t.Fatal("PasswordTag is not a function of the hash alone")
	}
}

func TestTOTPQRCodePNG(t *testing.T) {
	uri, err := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte{1}).URI("Gatehouse", "alice")
	if err != nil {
		t.Fatal(err)
	}
	png, err := domain.TOTPQRCodePNG(uri, 128)
	if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Fatalf("TOTPQRCodePNG: %d bytes, %v", len(png), err)
	}
	if _, err := domain.TOTPQRCodePNG("not a uri\x00", 128); err == nil {
		t.Error("a bad URI drew a code")
	}
}

func TestTicketState(t *testing.T) {
	enc := domain.MFATicket{Method: domain.MethodToken, TokenName: "phone", PasswordTag: "0011223344556677"}.Encode()
	for _, tc := range []struct {
		name string
		code domain.OneTimeCode
	}{
		{"in Data", domain.OneTimeCode{Data: []byte(enc)}},
		{"in Email, as tickets made before codes had Data", domain.OneTimeCode{Email: enc}},
	} {
		got, ok := domain.ParseMFATicket(domain.TicketState(tc.code))
		if !ok || got.TokenName != "phone" || got.Method != domain.MethodToken {
			t.Errorf("%s: %+v, %t", tc.name, got, ok)
		}
	}
}
