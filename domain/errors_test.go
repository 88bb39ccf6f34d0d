package domain_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

func TestNewValidationErrorHoldsOneMessage(t *testing.T) {
	err := domain.NewValidationError("username", "This field may not be blank.")

	want := map[string][]string{"username": {"This field may not be blank."}}
	if !reflect.DeepEqual(err.Fields, want) {
		t.Errorf("Fields = %q, want %q", err.Fields, want)
	}
	if err.Err() == nil {
		t.Error("Err() = nil, want the error")
	}
}

func TestValidationErrorErrIsNilWithoutMessages(t *testing.T) {
	var verr domain.ValidationError
	if err := verr.Err(); err != nil {
		t.Errorf("Err() of an empty ValidationError = %v, want untyped nil", err)
	}
	empty := &domain.ValidationError{Fields: map[string][]string{}}
	if err := empty.Err(); err != nil {
		t.Errorf("Err() with an empty map = %v, want untyped nil", err)
	}
}

func TestValidationErrorAddCollectsMessagesPerField(t *testing.T) {
	var verr domain.ValidationError // zero value: Add must create the map
	verr.Add("password", "too short")
	verr.Add("password", "too common")
	verr.Add("email", "invalid")

	want := map[string][]string{"password": {"too short", "too common"}, "email": {"invalid"}}
	if !reflect.DeepEqual(verr.Fields, want) {
		t.Errorf("Fields = %q, want %q", verr.Fields, want)
	}
	err := verr.Err()
	if got, ok := errors.AsType[*domain.ValidationError](err); !ok || got != &verr {
		t.Errorf("Err() = %v, want the same *ValidationError", err)
	}
}

func TestValidationErrorMessageListsFieldsSorted(t *testing.T) {
	var verr domain.ValidationError
	verr.Add("username", "x")
	verr.Add("email", "y")
	verr.Add("password", "z")

	if got, want := verr.Error(), "invalid input in [email password username]"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestValidationErrorIsFoundWhenWrapped(t *testing.T) {
	err := fmt.Errorf("register: %w", domain.NewValidationError("email", "Enter a valid email address."))
	verr, ok := errors.AsType[*domain.ValidationError](err)
	if !ok || verr.Fields["email"][0] != "Enter a valid email address." {
		t.Errorf("errors.AsType(%v) = %v, %v", err, verr, ok)
	}
}

func TestCSRFErrorMessageStartsLikeDRF(t *testing.T) {
	err := &domain.CSRFError{Reason: "CSRF token missing."}
	if got, want := err.Error(), "CSRF Failed: CSRF token missing."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestMalformedCredentialsErrorIsInvalidCredentials(t *testing.T) {
	err := fmt.Errorf("authenticate: %w", &domain.MalformedCredentialsError{Reason: "Invalid token."})
	assertMalformed(t, err)
	if !strings.HasSuffix(err.Error(), "malformed credentials: Invalid token.") {
		t.Errorf("Error() = %q", err.Error())
	}
	for _, other := range []error{domain.ErrNotFound, domain.ErrNotAuthenticated, domain.ErrUnavailable, domain.ErrUsernameTaken} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(malformed, %v) = true, want false", other)
		}
	}
}

func TestRateLimitedErrorNamesRetryAfter(t *testing.T) {
	err := &domain.RateLimitedError{RetryAfter: 30 * time.Second}
	if got, want := err.Error(), "rate limited, retry after 30s"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
