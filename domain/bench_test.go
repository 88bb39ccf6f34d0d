package domain_test

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// The work of a token- or session-authenticated request before the store:
//
//	go test -run '^$' -bench . -benchmem ./domain

var (
	benchToken   = domain.EncodeSecret(domain.TokenPrefix, [domain.SecretBytes]byte{1, 2, 3})
	benchSession = domain.EncodeSecret(domain.SessionPrefix, [domain.SecretBytes]byte{4, 5, 6})
)

// BenchmarkParseToken is the header parse with the format and checksum check, then the hash
// that is the store key.
func BenchmarkParseToken(b *testing.B) {
	header := "Token " + benchToken
	b.ReportAllocs()
	for b.Loop() {
		a := domain.ParseAuthorization(header)
		if a.Err != nil {
			b.Fatal(a.Err)
		}
		_ = domain.HashSecret(a.Token)
	}
}

// BenchmarkParseTokenMistyped is a token with a typo: refused by its checksum, with no hash
// and no store lookup.
func BenchmarkParseTokenMistyped(b *testing.B) {
	header := "Token " + benchToken[:10] + "x" + benchToken[11:]
	b.ReportAllocs()
	for b.Loop() {
		if domain.ParseAuthorization(header).Err == nil {
			b.Fatal("mistyped token accepted")
		}
	}
}

// BenchmarkCSRFCheck is a session-authenticated unsafe request's CSRF check: the token
// derived from the session secret (HMAC-SHA256) and compared in constant time.
func BenchmarkCSRFCheck(b *testing.B) {
	sent := domain.CSRFToken(benchSession)
	b.ReportAllocs()
	for b.Loop() {
		if err := domain.CheckCSRF(http.MethodPost, domain.CSRFToken(benchSession), sent); err != nil {
			b.Fatal(err)
		}
	}
}
