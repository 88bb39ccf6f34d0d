package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// t0 is the fixed instant the time-based tests count from.
var t0 = time.Date(2024, time.March, 1, 12, 0, 0, 0, time.UTC)

// sequence returns the fixed "random" bytes start, start+1, start+2, ...
func sequence(start byte) [domain.SecretBytes]byte {
	var b [domain.SecretBytes]byte
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// filled returns fixed "random" bytes that all equal v.
func filled(v byte) [domain.SecretBytes]byte {
	var b [domain.SecretBytes]byte
	for i := range b {
		b[i] = v
	}
	return b
}

// fieldMessages returns the messages err holds for field, failing the test unless err is a
// *domain.ValidationError with messages under field and under no other field.
func fieldMessages(t *testing.T, err error, field string) []string {
	t.Helper()
	verr, ok := errors.AsType[*domain.ValidationError](err)
	if !ok {
		t.Fatalf("error = %v (%T), want *domain.ValidationError", err, err)
	}
	if len(verr.Fields) != 1 || len(verr.Fields[field]) == 0 {
		t.Fatalf("fields = %q, want messages under %q only", verr.Fields, field)
	}
	return verr.Fields[field]
}

// assertMalformed fails the test unless err reports malformed credentials, which must count
// as invalid credentials for the error mapping.
func assertMalformed(t *testing.T, err error) {
	t.Helper()
	if _, ok := errors.AsType[*domain.MalformedCredentialsError](err); !ok {
		t.Fatalf("error = %v (%T), want *domain.MalformedCredentialsError", err, err)
	}
	if !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("errors.Is(%v, ErrInvalidCredentials) = false, want true", err)
	}
}
