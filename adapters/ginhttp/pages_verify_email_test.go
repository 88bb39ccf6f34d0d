package ginhttp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// verifyAccounts answers the verification use cases with err, recording what reached them.
type verifyAccounts struct {
	pageAccounts
	err error

	mu       sync.Mutex
	confirms []string
	resends  []domain.UserID
}

func (a *verifyAccounts) ConfirmEmail(_ context.Context, token string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.confirms = append(a.confirms, token)
	return a.err
}

func (a *verifyAccounts) ResendVerification(_ context.Context, p domain.Principal) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.resends = append(a.resends, p.User.ID)
	return a.err
}

func (a *verifyAccounts) calls() int { return len(a.confirms) + len(a.resends) }

// verifyAuth is pageAuth whose user has an address, verified or not.
type verifyAuth struct {
	pageAuth
	verified bool
}

func (a verifyAuth) Authenticate(ctx context.Context, c domain.RequestCredentials) (ports.AuthResult, error) {
	res, err := a.pageAuth.Authenticate(ctx, c)
	res.Principal.User.Email, res.Principal.User.EmailVerified = "alice@example.com", a.verified
	return res, err
}

func newVerifyServer(accounts *verifyAccounts, on, verified bool) *Server {
	return New(verifyAuth{pageAuth{methods: allMethods}, verified}, accounts, fakeReady{},
		Config{SessionCookieMaxAge: time.Hour, SecretKeys: testKeys, EmailVerification: on},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

const verifySecret = "gtv_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

// TestVerifyEmailPageForms: the link page's form and the account page's resend form reach
// their use cases only with a valid CSRF token from this site, and answer as the table says.
func TestVerifyEmailPageForms(t *testing.T) {
	cross := func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }
	badLink := domain.NewValidationError("token", "This verification link is invalid or has expired.")
	session := domain.CSRFToken(liveSession)
	tests := []struct {
		name     string
		path     string
		form     url.Values
		edit     func(*http.Request)
		err      error
		status   int
		location string
		text     []string
		calls    int
	}{
		{name: "confirm", path: "/email/verify", form: url.Values{"token": {verifySecret}, csrfFormField: {formToken}},
			status: 303, location: "/email/verify?done=email-verified", calls: 1},
		{name: "confirm bad link", path: "/email/verify", form: url.Values{"token": {verifySecret}, csrfFormField: {formToken}},
			err: badLink, status: 400, text: []string{"invalid or has expired", "Send the link again", `id="verify-none" hidden`}, calls: 1},
		{name: "confirm without a link", path: "/email/verify", form: url.Values{csrfFormField: {formToken}},
			status: 400, text: []string{"This field is required."}},
		{name: "confirm without CSRF field", path: "/email/verify", form: url.Values{"token": {verifySecret}},
			status: 403, text: []string{"CSRF Failed"}},
		{name: "confirm from another site", path: "/email/verify", form: url.Values{"token": {verifySecret}, csrfFormField: {formToken}},
			edit: cross, status: 403, text: []string{"Origin checking failed"}},
		{name: "resend", path: "/account/email/verify/resend", form: url.Values{csrfFormField: {session}},
			status: 303, location: "/account?done=verify-sent", calls: 1},
		{name: "resend throttled", path: "/account/email/verify/resend", form: url.Values{csrfFormField: {session}},
			err: &domain.RateLimitedError{RetryAfter: 42 * time.Second}, status: 429,
			text: []string{"Expected available in 42 seconds.", `id="resend-verification"`}, calls: 1},
		{name: "resend without CSRF field", path: "/account/email/verify/resend", form: url.Values{},
			status: 403, text: []string{"CSRF Failed"}},
		{name: "resend with the anonymous form token", path: "/account/email/verify/resend", form: url.Values{csrfFormField: {formToken}},
			status: 403, text: []string{"CSRF Failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &verifyAccounts{err: tt.err}
			rec := post(newVerifyServer(a, true, false), tt.path, tt.form, tt.edit)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, body)
			}
			if a.calls() != tt.calls {
				t.Errorf("%d use case calls, want %d", a.calls(), tt.calls)
			}
			if tt.calls == 1 && len(a.confirms) == 1 && a.confirms[0] != verifySecret {
				t.Errorf("ConfirmEmail got %q, want the posted secret", a.confirms[0])
			}
			for _, want := range tt.text {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, verifySecret) {
				t.Error("the page shows the link's secret")
			}
			if strings.HasPrefix(tt.path, "/email/verify") && rec.Header().Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("Referrer-Policy = %q, want no-referrer", rec.Header().Get("Referrer-Policy"))
			}
		})
	}
}

// TestVerifyEmailPages: with verification on, the link page carries the fragment script and
// form, says so once the address is verified, and the account page shows the address's
// state and offers a new link only while it is unverified; with it off, none of it exists.
func TestVerifyEmailPages(t *testing.T) {
	on := newVerifyServer(&verifyAccounts{}, true, false)
	rec := get(on, "/email/verify")
	body := rec.Body.String()
	for _, want := range []string{`<script src="/static/fragment.js" defer></script>`, `name="token" value="" data-from-fragment`,
		`id="verify-confirm" hidden data-fragment-shows`, `id="verify-none" data-fragment-hides`, "<noscript>",
		`action="/email/verify"`, `value="` + issuedFormToken(rec) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the link page lacks %q:\n%s", want, body)
		}
	}
	if rec.Code != 200 || rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("status %d, Referrer-Policy %q", rec.Code, rec.Header().Get("Referrer-Policy"))
	}
	if body := get(on, "/email/verify?done=email-verified").Body.String(); !strings.Contains(body, "Your email address is verified.") ||
		strings.Contains(body, `action="/email/verify"`) {
		t.Errorf("the page after verifying:\n%s", body)
	}

	account := func(s *Server) string {
		return get(s, "/account", &http.Cookie{Name: sessionCookie, Value: liveSession}).Body.String()
	}
	tests := []struct {
		name       string
		on, verify bool
		want, not  []string
	}{
		{"unverified", true, false, []string{`id="account-email-status">not verified<`, `action="/account/email/verify/resend"`}, nil},
		{"verified", true, true, []string{`id="account-email-status">verified<`}, []string{"/account/email/verify/resend"}},
		{"off", false, false, []string{"alice@example.com"}, []string{"account-email-status", "/account/email/verify/resend"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := account(newVerifyServer(&verifyAccounts{}, tt.on, tt.verify))
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the account page lacks %q:\n%s", w, body)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the account page holds %q", n)
				}
			}
		})
	}

	off := newVerifyServer(&verifyAccounts{}, false, false)
	for _, r := range []struct{ method, path string }{{"GET", "/email/verify"}, {"POST", "/email/verify"},
		{"POST", "/account/email/verify/resend"}, {"POST", "/v1/auth/email/verify"}, {"POST", "/v1/auth/email/verify/resend"}} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(`{"token":"`+verifySecret+`"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		off.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("with verification off %s %s: status %d, want 404", r.method, r.path, rec.Code)
		}
	}
}

// TestVerifyEmailAPI: the routes answer as the README says, and a login refused for an
// unverified address is a 403 whose problem document names the reason.
func TestVerifyEmailAPI(t *testing.T) {
	badLink := domain.NewValidationError("token", "This verification link is invalid or has expired.")
	tests := []struct {
		name, path, body string
		session          bool
		err              error
		status           int
		field, code      string
	}{
		{name: "confirm", path: "/v1/auth/email/verify", body: `{"token":"` + verifySecret + `"}`, status: 204},
		{name: "confirm bad link", path: "/v1/auth/email/verify", body: `{"token":"x"}`, err: badLink, status: 400, field: "token"},
		{name: "confirm without token", path: "/v1/auth/email/verify", body: `{}`, status: 400, field: "token"},
		{name: "resend", path: "/v1/auth/email/verify/resend", session: true, status: 202},
		{name: "resend unauthenticated", path: "/v1/auth/email/verify/resend", status: 401},
		{name: "resend verified already", path: "/v1/auth/email/verify/resend", session: true, err: domain.ErrEmailAlreadyVerified, status: 400},
		{name: "resend without address", path: "/v1/auth/email/verify/resend", session: true, err: domain.ErrNoEmail, status: 400},
		{name: "resend throttled", path: "/v1/auth/email/verify/resend", session: true, err: &domain.RateLimitedError{RetryAfter: time.Minute}, status: 429},
		{name: "login unverified", path: "/v1/auth/login", body: `{"username":"alice","password":"x"}`, err: domain.ErrEmailUnverified,
			status: 403, code: "email_unverified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &verifyAccounts{err: tt.err}
			a.pageAccounts.err = tt.err
			req := httptest.NewRequest("POST", tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.session {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: liveSession})
				req.Header.Set("X-CSRFToken", domain.CSRFToken(liveSession))
				req.Header.Set("Origin", "http://example.com")
			}
			rec := httptest.NewRecorder()
			newVerifyServer(a, true, false).ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 204 {
				return
			}
			var doc struct {
				Detail string
				Code   string
				Errors map[string][]string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Detail == "" {
				t.Fatalf("body %s: %v, want a detail", rec.Body, err)
			}
			if tt.field != "" && len(doc.Errors[tt.field]) == 0 {
				t.Errorf("errors = %v, want a message on %q", doc.Errors, tt.field)
			}
			if doc.Code != tt.code {
				t.Errorf("code = %q, want %q", doc.Code, tt.code)
			}
		})
	}
}
