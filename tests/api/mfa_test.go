package api_test

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// totpApp plays an authenticator app for the tests: it computes codes from the secret the
// server showed, each for a step later than the last one used, so no test waits for time
// to pass.
type totpApp struct {
	secret domain.TOTPSecret
	last   int64
}

// next returns a code the server has not accepted yet and still accepts (within one step).
func (a *totpApp) next() string {
	a.last = max(a.last+1, domain.TOTPStep(time.Now())-1)
	return domain.TOTPCode(a.secret, a.last)
}

// enrolTOTP enrols and confirms a TOTP factor with tok, returning the app and the recovery codes.
func (s *server) enrolTOTP(t *testing.T, tok issuedToken) (*totpApp, []string) {
	t.Helper()
	en := s.do(t, "POST", "/v1/auth/mfa/totp", withToken(tok.secret)).expect(t, http.StatusOK).object(t)
	b32, _ := en["secret"].(string)
	uri, _ := en["otpauth_uri"].(string)
	qr, _ := en["qr_code"].(string)
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
	if err != nil || len(raw) != domain.TOTPSecretBytes || !strings.HasPrefix(uri, "otpauth://totp/") ||
		!strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("enrolment answer: %v (%v)", keys(en), err)
	}
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(qr, "data:image/png;base64,"))
	if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Fatalf("qr_code is no PNG: %v", err)
	}
	app := &totpApp{secret: domain.NewTOTPSecret([domain.TOTPSecretBytes]byte(raw))}
	app.last = domain.TOTPStep(time.Now()) - 2
	codes := s.do(t, "POST", "/v1/auth/mfa/totp/confirm", withToken(tok.secret),
		jsonBody(map[string]string{"code": app.next()})).expect(t, http.StatusOK).object(t)
	list, _ := codes["recovery_codes"].([]any)
	var out []string
	for _, c := range list {
		code, _ := c.(string)
		s.secret(code)
		out = append(out, code)
	}
	if len(out) != domain.RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(out))
	}
	return app, out
}

// ticket logs a in at path (/v1/auth/token or /v1/auth/login) and returns the ticket of the
// 202 answer.
func (s *server) ticket(t *testing.T, a account, path string) string {
	t.Helper()
	m := s.do(t, "POST", path, jsonBody(map[string]string{"username": a.username, "password": a.password, "name": "phone"})).
		expect(t, http.StatusAccepted).object(t)
	ticket, _ := m["ticket"].(string)
	factors, _ := m["factors"].([]any)
	if m["mfa_required"] != true || !strings.HasPrefix(ticket, domain.MFATicketPrefix) || len(factors) != 2 {
		t.Fatalf("%s answered %v", path, m)
	}
	return ticket
}

func (s *server) verifyMFA(t *testing.T, body map[string]string) *response {
	t.Helper()
	return s.do(t, "POST", "/v1/auth/mfa/verify", jsonBody(body))
}

func TestTOTPTwoStepLogin(t *testing.T) {
	t.Parallel()
	var k [domain.ServerKeyBytes]byte
	rand.Read(k[:])
	key := base64.StdEncoding.EncodeToString(k[:])
	s := startServer(t, map[string]string{"GATEHOUSE_SECRET_KEY": key})
	s.secret(key)
	a := s.signup(t, "mfa", "violet-Harbour-4471")
	first := s.token(t, a)
	app, recovery := s.enrolTOTP(t, first)
	if f, _ := s.me(t, withToken(first.secret))["factors"].([]any); len(f) != 2 {
		t.Fatalf("/me factors = %v", f)
	}
	s.do(t, "POST", "/v1/auth/mfa/totp", withToken(first.secret)).expect(t, http.StatusConflict)

	// Password, then code: a token that works.
	code := app.next()
	m := s.verifyMFA(t, map[string]string{"ticket": s.ticket(t, a, "/v1/auth/token"), "code": code}).
		expect(t, http.StatusOK).object(t)
	second, _ := m["token"].(string)
	if m["name"] != "phone" || second == "" {
		t.Fatalf("verify answered %v", m)
	}
	s.me(t, withToken(second))

	// A replayed code is refused; the ticket survives it and takes a recovery code.
	ticket := s.ticket(t, a, "/v1/auth/token")
	s.verifyMFA(t, map[string]string{"ticket": ticket, "code": code}).expect(t, http.StatusUnauthorized)
	m = s.verifyMFA(t, map[string]string{"ticket": ticket, "recovery_code": recovery[0]}).expect(t, http.StatusOK).object(t)
	third, _ := m["token"].(string)
	// The ticket is used up.
	s.verifyMFA(t, map[string]string{"ticket": ticket, "code": app.next()}).expect(t, http.StatusBadRequest)

	// A recovery code works once; a session login ends with cookies.
	ticket = s.ticket(t, a, "/v1/auth/login")
	s.verifyMFA(t, map[string]string{"ticket": ticket, "recovery_code": recovery[0]}).expect(t, http.StatusUnauthorized)
	r := s.verifyMFA(t, map[string]string{"ticket": ticket, "recovery_code": recovery[1]}).expect(t, http.StatusOK)
	if c := r.cookie("sessionid"); c == nil || c.Value == "" {
		t.Fatal("no session cookie after the second step")
	}

	// Basic cannot carry the factor.
	if p := s.do(t, "GET", "/v1/auth/me", withBasic(a.username, a.password)).expect(t, http.StatusForbidden).problem(t); p.Code != "basic_with_factor" {
		t.Fatalf("Basic answered %+v", p)
	}

	// Disabling needs the password and a code, and revokes the other tokens.
	s.do(t, "DELETE", "/v1/auth/mfa/totp", withToken(second), jsonBody(map[string]string{"password": a.password})).
		expect(t, http.StatusBadRequest)
	s.do(t, "DELETE", "/v1/auth/mfa/totp", withToken(second),
		jsonBody(map[string]string{"password": a.password, "recovery_code": recovery[2]})).expect(t, http.StatusNoContent)
	for _, tok := range []string{first.secret, third} {
		if st := s.status(t, "GET", "/v1/auth/me", withToken(tok)); st != http.StatusUnauthorized {
			t.Errorf("another token after disabling: %d, want 401", st)
		}
	}
	if f, _ := s.me(t, withToken(second))["factors"].([]any); !slices.Equal(f, []any{}) {
		t.Fatalf("/me factors after disabling = %v", f)
	}
	s.token(t, a)
	s.me(t, withBasic(a.username, a.password))
}

func TestTOTPEnrolmentWithoutServerKey(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "mfa_nokey", "violet-Harbour-4471")
	tok := s.token(t, a)
	if p := s.do(t, "POST", "/v1/auth/mfa/totp", withToken(tok.secret)).expect(t, http.StatusServiceUnavailable).problem(t); p.Code != "no_server_key" {
		t.Fatalf("enrolment without a key: %+v", p)
	}
}

// TestUserMFACommands: an operator sees a user's factors and resets them, after which the
// password alone logs in again.
func TestUserMFACommands(t *testing.T) {
	t.Parallel()
	if current.name == "memory" {
		t.Skip("admin commands need a shared store; the memory profile has none")
	}
	var k [domain.ServerKeyBytes]byte
	rand.Read(k[:])
	env := profileEnv(t)
	env["GATEHOUSE_SECRET_KEY"] = base64.StdEncoding.EncodeToString(k[:])
	c := &cli{env: env, server: startServer(t, env)}
	s := c.server
	s.secret(env["GATEHOUSE_SECRET_KEY"])
	a := s.signup(t, "mfa_cli", "violet-Harbour-4471")
	if out := c.must(t, "", "user", "mfa", "list", a.username); strings.TrimSpace(out) != "none" {
		t.Fatalf("list before enrolment: %q", out)
	}
	s.enrolTOTP(t, s.token(t, a))
	if out := c.must(t, "", "user", "mfa", "list", a.username); strings.TrimSpace(out) != "totp recovery_code" {
		t.Fatalf("list after enrolment: %q", out)
	}
	s.ticket(t, a, "/v1/auth/token")
	c.must(t, "", "user", "mfa", "reset", a.username)
	if out := c.must(t, "", "user", "mfa", "list", a.username); strings.TrimSpace(out) != "none" {
		t.Fatalf("list after reset: %q", out)
	}
	s.token(t, a)
	if code, _, stderr := c.run(t, "", "user", "mfa", "reset", "nobody."+s.tag); code != 4 || !strings.Contains(stderr, "no such user") {
		t.Errorf("reset of an unknown user: exit %d, %q; want 4, no such user", code, stderr)
	}
}
