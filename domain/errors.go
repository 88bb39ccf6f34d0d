// Package domain holds Gatehouse's types and rules: users and their credentials, sessions,
// tokens, and the credentials a request carries. It does no I/O; time and randomness are
// passed in, so every rule is deterministic under test.
package domain

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Sentinel errors name fixed conditions. Adapters translate driver errors into them and the
// HTTP adapter maps them to status codes in one place.
var (
	// ErrNotFound means the item does not exist, has expired, or belongs to someone else.
	// Callers cannot tell those apart, which is the point: ids of other users' items leak nothing.
	ErrNotFound = errors.New("not found")
	// ErrUsernameTaken means another user already holds the normalised username.
	ErrUsernameTaken = errors.New("a user with that username already exists")
	// ErrUserIDTaken means an import that keeps the source's IDs met a user already holding
	// the ID it was to store.
	ErrUserIDTaken = errors.New("a user with that id already exists")
	// ErrEmailTaken means a write under EmailUnique met another user with the same EmailKey.
	ErrEmailTaken = errors.New("a user with that email address already exists")
	// ErrInvalidCredentials covers an unknown user, a wrong password, an inactive user, and a
	// token or session that is malformed, unknown, revoked or expired. One error for all of
	// them so responses do not reveal which accounts exist.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrEmailUnverified means a login gave the right password for an account whose address
	// is not verified, while verified addresses are required. It is not an
	// ErrInvalidCredentials: it is told only to whoever knows the password, and says what to do.
	ErrEmailUnverified = errors.New("email address not verified")
	// ErrNoEmail means the account has no address to send a verification link to.
	ErrNoEmail = errors.New("the account has no email address")
	// ErrEmailAlreadyVerified means a verification link was asked for an address that is
	// verified already.
	ErrEmailAlreadyVerified = errors.New("email address already verified")
	// ErrNotAuthenticated means the request carried no credentials of any enabled kind.
	ErrNotAuthenticated = errors.New("authentication credentials were not provided")
	// ErrUnavailable means a store could not be reached or did not answer in time. Requests
	// fail closed: nothing is authenticated while a store is down.
	ErrUnavailable = errors.New("store unavailable")

	// ErrNoSuchUser is the ErrNotFound of a user an operator named, and ErrNoSuchToken that
	// of a token of that user: the command line tells the two apart, where the API, which
	// must not say which accounts exist, answers 404 to both as ErrNotFound.
	ErrNoSuchUser  = fmt.Errorf("%w: no such user", ErrNotFound)
	ErrNoSuchToken = fmt.Errorf("%w: no such token", ErrNotFound)

	// ErrInvalidToken is the ErrInvalidCredentials of a well-formed token that is unknown,
	// revoked or expired.
	ErrInvalidToken = fmt.Errorf("%w: invalid token", ErrInvalidCredentials)
	// ErrInactiveUser is the ErrInvalidCredentials of a valid token or session whose owner was
	// deactivated or deleted.
	ErrInactiveUser = fmt.Errorf("%w: user inactive or deleted", ErrInvalidCredentials)
	// ErrSessionBound is the ErrInvalidCredentials of a session presented by another client
	// than the one it is bound to (see SessionBinding); the session is destroyed.
	ErrSessionBound = fmt.Errorf("%w: session bound to another client", ErrInvalidCredentials)
)

// CSRFError reports a session-authenticated unsafe request without a valid CSRF token.
type CSRFError struct {
	Reason string
}

func (e *CSRFError) Error() string { return "CSRF Failed: " + e.Reason }

// MalformedCredentialsError reports credentials that are present but cannot be parsed, such
// as an Authorization header with an unknown scheme or bad base64. They are rejected without
// a store lookup.
type MalformedCredentialsError struct {
	Reason string
}

func (e *MalformedCredentialsError) Error() string { return "malformed credentials: " + e.Reason }

// Is lets errors.Is(err, ErrInvalidCredentials) match: malformed credentials are invalid ones.
func (e *MalformedCredentialsError) Is(target error) bool { return target == ErrInvalidCredentials }

// ValidationError carries one or more messages per input field, in the shape DRF clients read.
type ValidationError struct {
	Fields map[string][]string
}

// NewValidationError returns an error with a single message for field.
func NewValidationError(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string][]string{field: {msg}}}
}

// Add appends msg to field's messages.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string][]string{}
	}
	e.Fields[field] = append(e.Fields[field], msg)
}

// Err returns e when it holds a message and nil otherwise, so validators can collect and
// return in one step.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	names := make([]string, 0, len(e.Fields))
	for name := range e.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	return fmt.Sprintf("invalid input in %v", names)
}

// RateLimitedError reports a request refused by throttling; RetryAfter is how long to wait.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}
