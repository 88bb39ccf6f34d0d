package ginhttp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var withTOTP = []domain.FactorKind{domain.FactorTOTP, domain.FactorRecoveryCode}

// acctForm is an account page form with the session's CSRF token and the given fields.
func acctForm(kv ...string) url.Values {
	f := url.Values{csrfFormField: {domain.CSRFToken(liveSession)}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// TestAccountTwoFactorSection: the section offers enrolment without TOTP, and new recovery
// codes and turning it off with it.
func TestAccountTwoFactorSection(t *testing.T) {
	live := &http.Cookie{Name: sessionCookie, Value: liveSession}
	tests := []struct {
		name      string
		factors   []domain.FactorKind
		want, not []string
	}{
		{"off", nil, []string{`action="/account/mfa/totp#two-factor"`, `id="enrol-totp"`},
			[]string{`action="/account/mfa/totp/disable#two-factor"`, `action="/account/mfa/recovery-codes#two-factor"`, `action="/account/mfa/totp/confirm#two-factor"`}},
		{"on", withTOTP, []string{`action="/account/mfa/totp/disable#two-factor"`, `action="/account/mfa/recovery-codes#two-factor"`,
			`name="recovery_code"`, `autocomplete="one-time-code"`}, []string{`action="/account/mfa/totp#two-factor"`, `action="/account/mfa/totp/confirm#two-factor"`}},
		// A passkey is a second factor: new recovery codes, and TOTP can still be added.
		{"passkey", []domain.FactorKind{domain.FactorPasskey, domain.FactorRecoveryCode},
			[]string{`<span class="badge">passkey</span>`, `action="/account/mfa/recovery-codes#two-factor"`, `id="enrol-totp"`},
			[]string{`action="/account/mfa/totp/disable#two-factor"`, `<span class="badge">off</span>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newMFAPageServer(mfaPageAccounts{factors: tt.factors})
			rec := get(s, "/account", live)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the section lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the section has %q", n)
				}
			}
			if strings.Contains(rec.Header().Get("Content-Security-Policy"), "data:") {
				t.Errorf("the account page allows data: URLs without an enrolment")
			}
		})
	}
}

// TestAccountTwoFactorForms: each form of the section on success and failure, with the
// API's status and words.
func TestAccountTwoFactorForms(t *testing.T) {
	wrongCode := domain.NewValidationError("code", "The code is wrong or was used already.")
	wrongPassword := domain.NewValidationError("password", "Your password was entered incorrectly. Please enter it again.")
	tests := []struct {
		name     string
		factors  []domain.FactorKind
		path     string
		form     url.Values
		err      error
		status   int
		location string
		want     []string
		not      []string
		called   string // the use case that must have run, "" for none
	}{
		{"enrol", nil, "/account/mfa/totp", acctForm(), nil, 200, "",
			[]string{`src="data:image/png;base64,iVBORyBmYWtl"`, `value="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"`,
				`action="/account/mfa/totp/confirm#two-factor"`, `autocomplete="one-time-code"`}, nil, "enrol"},
		{"enrol without a server key", nil, "/account/mfa/totp", acctForm(), domain.ErrNoServerKey, 503, "",
			[]string{"the server has no secret key"}, []string{"data:image"}, "enrol"},
		{"enrol twice", withTOTP, "/account/mfa/totp", acctForm(), domain.ErrFactorExists, 409, "",
			[]string{"disable it before enrolling another"}, []string{"data:image"}, "enrol"},
		{"confirm", withTOTP, "/account/mfa/totp/confirm", acctForm("code", "123456"), nil, 200, "",
			[]string{`id="recovery-codes"`, "aaaaa-11111\nbbbbb-22222", `data-copy="recovery-codes"`, `id="mfa-status"`}, nil, "confirm"},
		{"confirm a wrong code", nil, "/account/mfa/totp/confirm", acctForm("code", "000000"), wrongCode, 400, "",
			[]string{"The code is wrong or was used already.", `action="/account/mfa/totp/confirm#two-factor"`, "Start again"},
			[]string{"JBSWY3DP", "data:image"}, "confirm"},
		{"confirm without a code", nil, "/account/mfa/totp/confirm", acctForm(), nil, 400, "",
			[]string{"This field is required.", `action="/account/mfa/totp/confirm#two-factor"`}, nil, ""},
		{"confirm throttled", nil, "/account/mfa/totp/confirm", acctForm("code", "123456"), &domain.RateLimitedError{RetryAfter: time.Minute}, 429, "",
			[]string{"Expected available in 60 seconds."}, nil, "confirm"},
		{"new recovery codes", withTOTP, "/account/mfa/recovery-codes", acctForm("password", "correct horse"), nil, 200, "",
			[]string{`id="recovery-codes"`, "ccccc-33333"}, []string{"correct horse"}, "regenerate"},
		{"new recovery codes with a passkey", []domain.FactorKind{domain.FactorPasskey, domain.FactorRecoveryCode}, "/account/mfa/recovery-codes",
			acctForm("password", "correct horse"), nil, 200, "", []string{`id="recovery-codes"`, "ccccc-33333"}, []string{"correct horse"}, "regenerate"},
		{"new recovery codes with a passkey, wrong password", []domain.FactorKind{domain.FactorPasskey, domain.FactorRecoveryCode}, "/account/mfa/recovery-codes",
			acctForm("password", "correct horse"), wrongPassword, 400, "", []string{`<p class="alert" role="alert">Invalid input.</p>`}, []string{`id="mfa-error"`}, "regenerate"},
		{"new recovery codes, wrong password", withTOTP, "/account/mfa/recovery-codes", acctForm("password", "correct horse"), wrongPassword, 400, "",
			[]string{"Your password was entered incorrectly."}, []string{"correct horse", `id="recovery-codes"`}, "regenerate"},
		{"turn off", withTOTP, "/account/mfa/totp/disable", acctForm("password", "correct horse", "code", "123456"), nil, 303, "/account?done=mfa-off",
			nil, nil, "disable"},
		{"turn off with a recovery code", withTOTP, "/account/mfa/totp/disable", acctForm("password", "correct horse", "recovery_code", "aaaaa-11111"), nil, 303, "/account?done=mfa-off",
			nil, nil, "disable"},
		{"turn off, wrong code", withTOTP, "/account/mfa/totp/disable", acctForm("password", "correct horse", "code", "000000"), wrongCode, 400, "",
			[]string{"The code is wrong or was used already.", `action="/account/mfa/totp/disable#two-factor"`}, []string{"correct horse"}, "disable"},
		{"turn off without a code", withTOTP, "/account/mfa/totp/disable", acctForm("password", "correct horse"),
			domain.NewValidationError("code", "Give a code from your authenticator app, a recovery code, or your passkey."), 400, "",
			[]string{"Give a code from your authenticator app, a recovery code, or your passkey."}, nil, "disable"},
		{"turn off without a factor", nil, "/account/mfa/totp/disable", acctForm("password", "pw", "code", "123456"), domain.ErrNoFactor, 409, "",
			[]string{"Your account has no authenticator."}, nil, "disable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, calls := newMFAPageServer(mfaPageAccounts{factors: tt.factors, err: tt.err})
			rec := post(s, tt.path, tt.form, nil)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the page has %q", n)
				}
			}
			if got := strings.Join(calls.names, ","); got != tt.called {
				t.Errorf("use cases called: %q, want %q", got, tt.called)
			}
			if tt.called == "confirm" && calls.code != tt.form.Get("code") {
				t.Errorf("ConfirmTOTP got code %q", calls.code)
			}
			if tt.called == "disable" {
				p := calls.proof
				if p.Password != "correct horse" && tt.err == nil || p.Code != tt.form.Get("code") || p.RecoveryCode != tt.form.Get("recovery_code") {
					t.Errorf("DisableTOTP got %+v", p)
				}
			}
			// Only the enrolment's own answer may show an inline image.
			csp := rec.Header().Get("Content-Security-Policy")
			if allows := strings.Contains(csp, "img-src 'self' data:"); allows != (tt.name == "enrol") {
				t.Errorf("Content-Security-Policy %q: data: images allowed %v", csp, allows)
			}
			if strings.Contains(csp, "unsafe") || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q is weaker than the pages'", csp)
			}
		})
	}
	if body := get(newPageServer(nil), "/account?done=mfa-off", &http.Cookie{Name: sessionCookie, Value: liveSession}).Body.String(); !strings.Contains(body, "Two-factor authentication is off.") {
		t.Errorf("the account page does not confirm turning it off")
	}
}

// TestAccountTwoFactorCSRF: the section's forms need the session's CSRF token.
func TestAccountTwoFactorCSRF(t *testing.T) {
	paths := []string{"/account/mfa/totp", "/account/mfa/totp/confirm", "/account/mfa/recovery-codes", "/account/mfa/totp/disable"}
	forms := map[string]url.Values{
		"without the field":        {"code": {"123456"}, "password": {"pw"}},
		"with the anonymous token": {"code": {"123456"}, "password": {"pw"}, csrfFormField: {formToken}},
	}
	for _, path := range paths {
		for name, form := range forms {
			t.Run(path+" "+name, func(t *testing.T) {
				s, calls := newMFAPageServer(mfaPageAccounts{factors: withTOTP})
				rec := post(s, path, form, nil)
				if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "CSRF Failed") {
					t.Fatalf("status %d, want 403 saying why", rec.Code)
				}
				if len(calls.names) > 0 {
					t.Errorf("use cases ran: %v", calls.names)
				}
			})
		}
		t.Run(path+" from another site", func(t *testing.T) {
			s, calls := newMFAPageServer(mfaPageAccounts{factors: withTOTP})
			rec := post(s, path, acctForm("code", "123456", "password", "pw"), func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") })
			if rec.Code != http.StatusForbidden || len(calls.names) > 0 {
				t.Fatalf("status %d (calls %v), want 403 before any use case", rec.Code, calls.names)
			}
		})
	}
}

// TestCreateTokenWithSecondFactor: with a second factor the account page's token form asks
// for a code with the password, and finishes both steps in one post.
func TestCreateTokenWithSecondFactor(t *testing.T) {
	need := &domain.SecondFactorRequiredError{Ticket: pageTicket, Factors: withTOTP}
	token := ports.LoginResult{Token: &domain.IssuedToken{Token: domain.Token{ID: "t2", Name: "ci"}, Secret: "gth_second_step"}}
	tests := []struct {
		name   string
		code   string
		err    error
		status int
		text   string
		called bool
	}{
		{"code", "123456", nil, 200, `value="gth_second_step"`, true},
		{"no code", "", nil, 400, "Give a code from your authenticator app, or a recovery code.", false},
		{"wrong code", "000000", domain.ErrWrongSecondFactor, 401, "Invalid code.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, calls := newMFAPageServer(mfaPageAccounts{pageAccounts: pageAccounts{err: need}, factors: withTOTP, err: tt.err, res: token})
			form := acctForm("name", "ci", "password", "correct horse")
			if tt.code != "" {
				form.Set("code", tt.code)
			}
			rec := post(s, "/account/tokens", form, nil)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, tt.text) {
				t.Fatalf("status %d, want %d with %q\n%s", rec.Code, tt.status, tt.text, body)
			}
			if called := len(calls.names) > 0; called != tt.called {
				t.Fatalf("VerifySecondFactor called: %v, want %v", called, tt.called)
			}
			if tt.called && (calls.login.Ticket != pageTicket || calls.login.Code != tt.code) {
				t.Errorf("VerifySecondFactor got %+v", calls.login)
			}
			if strings.Contains(body, pageTicket) || strings.Contains(body, "correct horse") {
				t.Errorf("the page shows the ticket or the password")
			}
			if !strings.Contains(body, `id="token-code"`) {
				t.Errorf("the token form has no code field")
			}
		})
	}
	live := &http.Cookie{Name: sessionCookie, Value: liveSession}
	if body := get(newPageServer(nil), "/account", live).Body.String(); strings.Contains(body, `id="token-code"`) {
		t.Errorf("without a second factor the token form asks for a code")
	}
}
