package domain_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; `go test` runs them as regression cases.

func FuzzParseAuthorization(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		a := domain.ParseAuthorization(header)
		if a.Err != nil {
			if !errors.Is(a.Err, domain.ErrInvalidCredentials) {
				t.Fatalf("Err = %v, want one matching ErrInvalidCredentials", a.Err)
			}
			if a.Scheme == domain.SchemeNone || a.Token != "" || a.Username != "" || a.Password != "" {
				t.Fatalf("failed parse returned %+v", a)
			}
			return
		}
		switch a.Scheme {
		case domain.SchemeNone:
			if header != "" {
				t.Fatalf("SchemeNone for non-empty header %q", header)
			}
		case domain.SchemeToken:
			if !domain.ValidTokenSecret(a.Token) {
				t.Fatalf("accepted token %q fails ValidTokenSecret", a.Token)
			}
		case domain.SchemeBasic:
			again := domain.ParseAuthorization("Basic " + base64.StdEncoding.EncodeToString([]byte(a.Username+":"+a.Password)))
			if again != a {
				t.Fatalf("re-encoded credentials parse to %+v, want %+v", again, a)
			}
		default:
			t.Fatalf("scheme %v without an error", a.Scheme)
		}
	})
}

func FuzzDecodeBasic(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload string) {
		username, password, err := domain.DecodeBasic(payload)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("error %v does not match ErrInvalidCredentials", err)
			}
			return
		}
		if username == "" || strings.Contains(username, ":") {
			t.Fatalf("username %q is empty or holds a colon", username)
		}
		if !utf8.ValidString(username) || !utf8.ValidString(password) {
			t.Fatalf("credentials %q, %q are not valid UTF-8", username, password)
		}
		if strings.IndexFunc(username, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			t.Fatalf("username %q holds a control character", username)
		}
		u, p, err := domain.DecodeBasic(base64.StdEncoding.EncodeToString([]byte(username + ":" + password)))
		if err != nil || u != username || p != password {
			t.Fatalf("re-encoded credentials decode to %q, %q, %v; want %q, %q", u, p, err, username, password)
		}
	})
}

func FuzzNormalizeUsername(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := domain.NormalizeUsername(raw)
		if err != nil {
			fieldMessages(t, err, "username")
			return
		}
		if name == "" || utf8.RuneCountInString(name) > domain.MaxUsernameLength || !utf8.ValidString(name) {
			t.Fatalf("NormalizeUsername(%q) = %q, want 1 to %d characters of valid UTF-8", raw, name, domain.MaxUsernameLength)
		}
		again, err := domain.NormalizeUsername(name)
		if err != nil || again != name {
			t.Fatalf("NormalizeUsername(%q) = %q, %v; want it stable", name, again, err)
		}
		if strings.ContainsAny(name, ": /") {
			t.Fatalf("NormalizeUsername(%q) = %q holds a separator", raw, name)
		}
	})
}

func FuzzValidatePassword(f *testing.F) {
	f.Fuzz(func(t *testing.T, password, username, email string) {
		err := domain.ValidatePassword(password, username, email)
		if err != nil {
			fieldMessages(t, err, "password")
		}
		if (len(password) > domain.MaxPasswordBytes || !utf8.ValidString(password)) && err == nil {
			t.Fatalf("ValidatePassword(%.40q...) = nil for %d bytes, valid UTF-8 %v", password, len(password), utf8.ValidString(password))
		}
	})
}
