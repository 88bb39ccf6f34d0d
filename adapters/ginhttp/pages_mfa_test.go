package ginhttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// pageTicket is the login ticket the fakes answer a right password with.
const pageTicket = "gtm_page_ticket_secret"

// mfaCalls records what the second-factor use cases were called with.
type mfaCalls struct {
	names []string
	login ports.SecondFactorLogin
	proof ports.FactorProof
	code  string
}

// mfaPageAccounts answers the second-factor use cases with err, or with a small success; the
// login's second step with res.
type mfaPageAccounts struct {
	pageAccounts
	factors []domain.FactorKind
	err     error
	res     ports.LoginResult
	calls   *mfaCalls
}

func (a mfaPageAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return append([]domain.FactorKind{}, a.factors...), nil
}

func (a mfaPageAccounts) EnrolTOTP(context.Context, domain.Principal) (ports.TOTPEnrolment, error) {
	a.calls.names = append(a.calls.names, "enrol")
	return ports.TOTPEnrolment{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", URI: "otpauth://totp/Gatehouse:alice",
		QRCodePNG: []byte("\x89PNG fake")}, a.err
}

func (a mfaPageAccounts) ConfirmTOTP(_ context.Context, _ domain.Principal, code string, proof ports.FactorProof) ([]string, error) {
	a.calls.names, a.calls.code, a.calls.proof = append(a.calls.names, "confirm"), code, proof
	return []string{"aaaaa-11111", "bbbbb-22222"}, a.err
}

func (a mfaPageAccounts) RegenerateRecoveryCodes(_ context.Context, _ domain.Principal, proof ports.FactorProof) ([]string, error) {
	a.calls.names, a.calls.proof = append(a.calls.names, "regenerate"), proof
	return []string{"ccccc-33333"}, a.err
}

func (a mfaPageAccounts) DisableTOTP(_ context.Context, _ domain.Principal, in ports.FactorProof) error {
	a.calls.names, a.calls.proof = append(a.calls.names, "disable"), in
	return a.err
}

func (a mfaPageAccounts) VerifySecondFactor(_ context.Context, in ports.SecondFactorLogin) (ports.LoginResult, error) {
	a.calls.names, a.calls.login = append(a.calls.names, "verify"), in
	return a.res, a.err
}

// newMFAPageServer serves a with its calls recorded in the returned record.
func newMFAPageServer(a mfaPageAccounts) (*Server, *mfaCalls) {
	a.calls = &mfaCalls{}
	if a.res == (ports.LoginResult{}) {
		a.res = ports.LoginResult{Session: &domain.IssuedSession{Secret: "gts_second", CSRFToken: "second-csrf"}}
	}
	return New(pageAuth{methods: allMethods}, a, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, SecretKeys: testKeys},
		slog.New(slog.NewTextHandler(io.Discard, nil))), a.calls
}

// stepForm is the second step's form as the page posts it: the ticket, the anonymous CSRF
// token, next, and the given fields.
func stepForm(next string, kv ...string) url.Values {
	f := url.Values{"ticket": {pageTicket}, csrfFormField: {formToken}, "next": {next}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// noTicketOutside fails t when the ticket shows anywhere but the page's body: a header, a
// cookie, a redirect.
func noTicketOutside(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	for k, vs := range rec.Header() {
		if strings.Contains(strings.Join(vs, "\n"), pageTicket) {
			t.Errorf("header %s carries the ticket: %q", k, vs)
		}
	}
}

func sessionCookieSet(rec *httptest.ResponseRecorder) bool {
	return strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "sessionid=gts_")
}

// TestLoginSecondStep: a right password for an account with a factor shows the second
// step, with the ticket in hidden fields only, and logs nobody in yet.
func TestLoginSecondStep(t *testing.T) {
	need := &domain.SecondFactorRequiredError{Ticket: pageTicket, Factors: []domain.FactorKind{domain.FactorTOTP, domain.FactorRecoveryCode}}
	rec := post(newPageServer(need), "/login", loginForm("/account?tab=2fa"), nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want 200 with the step\n%s", rec.Code, rec.Header().Get("Location"), body)
	}
	noTicketOutside(t, rec)
	if sessionCookieSet(rec) {
		t.Errorf("the first step set a session cookie")
	}
	for _, want := range []string{
		`<input type="hidden" name="ticket" value="` + pageTicket + `">`,
		`action="/login/mfa"`, `name="code"`, `autocomplete="one-time-code"`, `inputmode="numeric"`,
		`name="recovery_code"`, `name="next" value="/account?tab=2fa"`, `value="` + formToken + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the step lacks %q", want)
		}
	}
	if n := strings.Count(body, pageTicket); n != 2 {
		t.Errorf("the ticket shows %d times, want once in each of the two forms", n)
	}
	if strings.Contains(body, "correct horse") {
		t.Errorf("the step echoes the password")
	}
	if rec := get(newPageServer(nil), "/login/mfa"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Errorf("GET /login/mfa: status %d to %q, want 303 to /login", rec.Code, rec.Header().Get("Location"))
	}
}

// TestSecondStepSubmit: the step's forms finish the login as loginSubmit would, or show the
// step again with the API's words and status, or send the browser back to log in when the
// ticket is dead.
func TestSecondStepSubmit(t *testing.T) {
	deadTicket := domain.NewValidationError("ticket", "The login ticket is invalid, used or expired: log in again.")
	tokenResult := ports.LoginResult{Token: &domain.IssuedToken{Secret: "gth_lost"}}
	tests := []struct {
		name     string
		form     url.Values
		err      error
		res      ports.LoginResult
		status   int
		location string
		text     string // in the page shown again
		called   bool   // the use case ran
	}{
		{"code", stepForm("/account?x=1", "code", "123 456"), nil, ports.LoginResult{}, 303, "/account?x=1", "", true},
		{"recovery code", stepForm("", "recovery_code", "aaaaa-11111"), nil, ports.LoginResult{}, 303, "/account", "", true},
		{"outside next", stepForm("//evil.example", "code", "123456"), nil, ports.LoginResult{}, 303, "/account", "", true},
		{"wrong code", stepForm("", "code", "000000"), domain.ErrWrongSecondFactor, ports.LoginResult{}, 401, "", "Invalid code.", true},
		{"wrong recovery code", stepForm("", "recovery_code", "zzzzz-00000"), domain.ErrWrongSecondFactor, ports.LoginResult{}, 401, "", "Invalid code.", true},
		{"no code", stepForm("", "code", ""), nil, ports.LoginResult{}, 400, "", "Give a code from your authenticator app, or a recovery code.", false},
		{"throttled", stepForm("", "code", "123456"), &domain.RateLimitedError{RetryAfter: 42 * time.Second}, ports.LoginResult{}, 429, "", "Expected available in 42 seconds.", true},
		{"store down", stepForm("", "code", "123456"), domain.ErrUnavailable, ports.LoginResult{}, 503, "", "Service temporarily unavailable", true},
		{"dead ticket", stepForm("/account?x=1", "code", "123456"), deadTicket, ports.LoginResult{}, 303, "/login?done=login-expired&next=%2Faccount%3Fx%3D1", "", true},
		{"no ticket", url.Values{csrfFormField: {formToken}, "code": {"123456"}}, deadTicket, ports.LoginResult{}, 303, "/login?done=login-expired", "", true},
		{"a token's ticket", stepForm("", "code", "123456"), nil, tokenResult, 303, "/login?done=login-expired", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, calls := newMFAPageServer(mfaPageAccounts{err: tt.err, res: tt.res})
			rec := post(s, "/login/mfa", tt.form, nil)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, body)
			}
			noTicketOutside(t, rec)
			if called := len(calls.names) > 0; called != tt.called {
				t.Fatalf("use case called: %v, want %v", called, tt.called)
			}
			if tt.called && tt.form.Get("ticket") != "" {
				in := calls.login
				if in.Ticket != pageTicket || in.Code != tt.form.Get("code") || in.RecoveryCode != tt.form.Get("recovery_code") ||
					in.PreviousSession != liveSession || in.IP == "" {
					t.Errorf("the use case got %+v", in)
				}
			}
			loggedIn := tt.status == 303 && tt.res.Token == nil && tt.err == nil
			if sessionCookieSet(rec) != loggedIn {
				t.Errorf("session cookie set: %v, want %v (%q)", !loggedIn, loggedIn, rec.Header().Values("Set-Cookie"))
			}
			if loggedIn && !strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "csrftoken=second-csrf") {
				t.Errorf("no CSRF cookie with the session: %q", rec.Header().Values("Set-Cookie"))
			}
			if tt.text == "" {
				return
			}
			if !strings.Contains(body, tt.text) {
				t.Errorf("the step shown again lacks %q:\n%s", tt.text, body)
			}
			// Shown again, the step still holds the ticket, in its hidden fields only.
			if !strings.Contains(body, `<input type="hidden" name="ticket" value="`+pageTicket+`">`) {
				t.Errorf("the step shown again lost the ticket:\n%s", body)
			}
			if open := strings.Contains(body, `id="use-recovery" open`); open != (tt.form.Get("recovery_code") != "") {
				t.Errorf("the recovery form is open: %v, want it open only when it failed", open)
			}
		})
	}
	if body := get(newPageServer(nil), "/login?done=login-expired&next=/account").Body.String(); !strings.Contains(body, "Log in again.") ||
		!strings.Contains(body, `name="next" value="/account"`) {
		t.Errorf("the login page after a dead ticket lacks its notice or next:\n%s", body)
	}
}

// TestSecondStepCSRF: the step's form is refused without its anonymous form token, with
// another token, or from another site, before the ticket reaches the use case.
func TestSecondStepCSRF(t *testing.T) {
	cross := func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }
	tests := []struct {
		name string
		form url.Values
		edit func(*http.Request)
	}{
		{"without the field", url.Values{"ticket": {pageTicket}, "code": {"123456"}}, nil},
		{"with a wrong token", stepForm("", "code", "123456", csrfFormField, "x"+formToken[1:]), nil},
		{"with the session's token", stepForm("", "code", "123456", csrfFormField, domain.CSRFToken(liveSession)), nil},
		{"without the cookie", stepForm("", "code", "123456"), func(r *http.Request) { r.Header.Del("Cookie") }},
		{"from another site", stepForm("", "code", "123456"), cross},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, calls := newMFAPageServer(mfaPageAccounts{})
			rec := post(s, "/login/mfa", tt.form, tt.edit)
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF Failed") {
				t.Fatalf("status %d, want 403 saying why\n%s", rec.Code, rec.Body)
			}
			if len(calls.names) > 0 || sessionCookieSet(rec) {
				t.Errorf("the use case ran (%v) or a session cookie was set", calls.names)
			}
		})
	}
}
