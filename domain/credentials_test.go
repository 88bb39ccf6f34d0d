package domain_test

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseAuthMethods(t *testing.T) {
	tests := []struct {
		name, in string
		want     []domain.AuthMethod
	}{
		{"all three in order", "session,token,basic", []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}},
		{"order kept", "basic,session", []domain.AuthMethod{domain.MethodBasic, domain.MethodSession}},
		{"single", "token", []domain.AuthMethod{domain.MethodToken}},
		{"default is session then basic", "default", []domain.AuthMethod{domain.MethodSession, domain.MethodBasic}},
		{"default with spaces", "  default ", []domain.AuthMethod{domain.MethodSession, domain.MethodBasic}},
		{"spaces and case", " Session , TOKEN,basic ", []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseAuthMethods(tt.in)
			if err != nil {
				t.Fatalf("ParseAuthMethods(%q) error = %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAuthMethods(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAuthMethodsRejectsBadLists(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"unknown", "session,oauth"},
		{"duplicate", "session,token,session"},
		{"duplicate in other case", "token,TOKEN"},
		{"empty entry", "session,,basic"},
		{"trailing comma", "session,"},
		{"default inside a list", "default,token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseAuthMethods(tt.in)
			if err == nil {
				t.Errorf("ParseAuthMethods(%q) = %v, want an error", tt.in, got)
			}
		})
	}
}

// Entries are case-insensitive, but "default" is matched case-sensitively, so "Default" is
// rejected as an unknown authenticator.
func TestParseAuthMethodsDefaultIgnoresCase(t *testing.T) {
	for _, in := range []string{"Default", "DEFAULT"} {
		if _, err := domain.ParseAuthMethods(in); err != nil {
			t.Errorf("ParseAuthMethods(%q) error = %v, want session,basic", in, err)
		}
	}
}

func TestParseAuthorizationWithoutHeader(t *testing.T) {
	if got := domain.ParseAuthorization(""); got != (domain.Authorization{Scheme: domain.SchemeNone}) {
		t.Errorf("ParseAuthorization(\"\") = %+v, want SchemeNone and no error", got)
	}
}

func TestParseAuthorizationAcceptsWellFormedHeaders(t *testing.T) {
	token := domain.EncodeSecret(domain.TokenPrefix, sequence(0))
	drfKey := "67247232892946d8a7969f0d2c148bb5e05965ba" // from Django REST Framework
	// 4096 bytes: "Basic " + 4088 characters of base64 (3066 bytes) + two trailing spaces.
	longest := "Basic " + b64("user:"+strings.Repeat("p", 3061)) + "  "
	tests := []struct {
		name   string
		header string
		want   domain.Authorization
	}{
		{"Token", "Token " + token, domain.Authorization{Scheme: domain.SchemeToken, Token: token}},
		{"Bearer", "Bearer " + token, domain.Authorization{Scheme: domain.SchemeToken, Token: token}},
		{"lower-case token", "token " + token, domain.Authorization{Scheme: domain.SchemeToken, Token: token}},
		{"upper-case BEARER", "BEARER " + token, domain.Authorization{Scheme: domain.SchemeToken, Token: token}},
		{"extra spaces around token", "Token   " + token + "  ", domain.Authorization{Scheme: domain.SchemeToken, Token: token}},
		{"DRF key", "Token " + drfKey, domain.Authorization{Scheme: domain.SchemeToken, Token: drfKey}},
		{"DRF key as Bearer", "Bearer " + drfKey, domain.Authorization{Scheme: domain.SchemeToken, Token: drfKey}},
		{"Basic", "Basic " + b64("user:pass"), domain.Authorization{Scheme: domain.SchemeBasic, Username: "user", Password: "pass"}},
		{"lower-case basic", "basic " + b64("user:pass"), domain.Authorization{Scheme: domain.SchemeBasic, Username: "user", Password: "pass"}},
		{"password with colons", "Basic " + b64("user:pa:ss"), domain.Authorization{Scheme: domain.SchemeBasic, Username: "user", Password: "pa:ss"}},
		{"empty password", "Basic " + b64("user:"), domain.Authorization{Scheme: domain.SchemeBasic, Username: "user"}},
		{"UTF-8 credentials", "Basic " + b64("josé:pässword"), domain.Authorization{Scheme: domain.SchemeBasic, Username: "josé", Password: "pässword"}},
		{"header of the maximum length", longest, domain.Authorization{Scheme: domain.SchemeBasic, Username: "user", Password: strings.Repeat("p", 3061)}},
	}
	if len(longest) != domain.MaxAuthorizationLength {
		t.Fatalf("test setup: longest header has %d bytes, want %d", len(longest), domain.MaxAuthorizationLength)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ParseAuthorization(tt.header); got != tt.want {
				t.Errorf("ParseAuthorization(%.60q) = %+v, want %+v", tt.header, got, tt.want)
			}
		})
	}
}

func TestParseAuthorizationRejectsMalformedHeaders(t *testing.T) {
	token := domain.EncodeSecret(domain.TokenPrefix, sequence(0))
	typo := token[:10] + "x" + token[11:]
	if typo == token {
		typo = token[:10] + "y" + token[11:]
	}
	tests := []struct {
		name   string
		header string
		want   domain.Scheme
	}{
		{"Token without credentials", "Token", domain.SchemeToken},
		{"Token and a space", "Token ", domain.SchemeToken},
		{"Bearer and spaces", "Bearer   ", domain.SchemeToken},
		{"token with a space inside", "Token " + token[:20] + " " + token[20:], domain.SchemeToken},
		{"two tokens", "Token " + token + " " + token, domain.SchemeToken},
		{"token with a tab inside", "Token " + token + "\tx", domain.SchemeToken},
		{"bad checksum", "Token " + typo, domain.SchemeToken},
		{"session id as token", "Token " + domain.EncodeSecret(domain.SessionPrefix, sequence(0)), domain.SchemeToken},
		{"DRF key in upper case", "Token " + strings.Repeat("AB", 20), domain.SchemeToken},
		{"DRF key one character short", "Token " + strings.Repeat("ab", 20)[1:], domain.SchemeToken},
		{"DRF key one character long", "Token " + strings.Repeat("ab", 20) + "c", domain.SchemeToken},
		{"DRF key with a non-hex letter", "Token " + strings.Repeat("ab", 19) + "ag", domain.SchemeToken},
		{"Basic without credentials", "Basic", domain.SchemeBasic},
		{"bad base64", "Basic !!!notbase64", domain.SchemeBasic},
		{"unpadded base64", "Basic " + strings.TrimRight(b64("user:pas"), "="), domain.SchemeBasic},
		{"no colon", "Basic " + b64("userpass"), domain.SchemeBasic},
		{"empty username", "Basic " + b64(":pass"), domain.SchemeBasic},
		{"control character in username", "Basic " + b64("us\x01er:pass"), domain.SchemeBasic},
		{"DEL in username", "Basic " + b64("user\x7f:pass"), domain.SchemeBasic},
		{"invalid UTF-8", "Basic " + b64("us\xffer:pass"), domain.SchemeBasic},
		{"unknown scheme", "Digest x", domain.SchemeUnknown},
		{"scheme only", "Negotiate", domain.SchemeUnknown},
		{"tab after the scheme", "Token\t" + token, domain.SchemeUnknown},
		{"leading space", " Token " + token, domain.SchemeUnknown},
		{"one byte too long", "Basic " + b64("user:"+strings.Repeat("p", 3061)) + "   ", domain.SchemeUnknown},
		{"very long", "Token " + strings.Repeat("a", 10*domain.MaxAuthorizationLength), domain.SchemeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.ParseAuthorization(tt.header)
			assertMalformed(t, got.Err)
			if got.Scheme != tt.want {
				t.Errorf("Scheme = %v, want %v", got.Scheme, tt.want)
			}
			if got.Token != "" || got.Username != "" || got.Password != "" {
				t.Errorf("credentials %+v returned alongside an error, want none", got)
			}
		})
	}
}

func TestDecodeBasic(t *testing.T) {
	tests := []struct {
		name, payload      string
		username, password string
	}{
		{"plain", b64("user:pass"), "user", "pass"},
		{"password with colons", b64("user:pa:ss"), "user", "pa:ss"},
		{"empty password", b64("user:"), "user", ""},
		{"UTF-8", b64("josé:pässword"), "josé", "pässword"},
		{"space in password", b64("user:correct horse"), "user", "correct horse"},
		{"space in username", b64("john smith:pw"), "john smith", "pw"},
		{"control character in password", b64("user:p\x01w"), "user", "p\x01w"},
		{"non-ascii control character in username", b64("us\u0085er:pw"), "us\u0085er", "pw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			username, password, err := domain.DecodeBasic(tt.payload)
			if err != nil {
				t.Fatalf("DecodeBasic(%q) error = %v", tt.payload, err)
			}
			if username != tt.username || password != tt.password {
				t.Errorf("DecodeBasic(%q) = %q, %q, want %q, %q", tt.payload, username, password, tt.username, tt.password)
			}
		})
	}
}

func TestDecodeBasicRejectsMalformedPayloads(t *testing.T) {
	tests := []struct {
		name, payload string
	}{
		{"empty", ""},
		{"not base64", "!!!"},
		{"URL-safe alphabet", strings.ReplaceAll(b64("user:p>>>?"), "+", "-")},
		{"missing padding", strings.TrimRight(b64("user:pas"), "=")},
		{"non-canonical padding bits", "dXNlcjpwYXN="},
		{"surrounding space", " " + b64("user:pass")},
		{"no colon", b64("userpass")},
		{"empty username", b64(":pass")},
		{"empty username and password", b64(":")},
		{"NUL in username", b64("us\x00er:pass")},
		{"tab in username", b64("us\ter:pass")},
		{"DEL in username", b64("user\x7f:pass")},
		{"invalid UTF-8", b64("us\xffer:pass")},
		{"truncated rune in password", b64("user:caf\xc3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			username, password, err := domain.DecodeBasic(tt.payload)
			assertMalformed(t, err)
			if username != "" || password != "" {
				t.Errorf("DecodeBasic(%q) = %q, %q alongside an error, want empty", tt.payload, username, password)
			}
		})
	}
}

// TestAmbient: cookies and Basic are what a browser sends by itself; a Token header is not.
func TestAmbient(t *testing.T) {
	tests := []struct {
		name  string
		creds domain.RequestCredentials
		want  bool
	}{
		{"nothing", domain.RequestCredentials{}, false},
		{"token header", domain.RequestCredentials{Authorization: domain.Authorization{Scheme: domain.SchemeToken}}, false},
		{"unknown scheme", domain.RequestCredentials{Authorization: domain.Authorization{Scheme: domain.SchemeUnknown}}, false},
		{"CSRF header alone", domain.RequestCredentials{CSRFToken: "x"}, false},
		{"basic", domain.RequestCredentials{Authorization: domain.Authorization{Scheme: domain.SchemeBasic}}, true},
		{"session cookie", domain.RequestCredentials{SessionSecret: "s"}, true},
		{"token cookie", domain.RequestCredentials{TokenCookie: "t"}, true},
		{"token header and session cookie", domain.RequestCredentials{SessionSecret: "s",
			Authorization: domain.Authorization{Scheme: domain.SchemeToken}}, true},
	}
	for _, tt := range tests {
		if got := tt.creds.Ambient(); got != tt.want {
			t.Errorf("%s: Ambient = %v, want %v", tt.name, got, tt.want)
		}
	}
}
