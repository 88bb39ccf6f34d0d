package ginhttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// resetAccounts answers the reset use cases as the application does: nil for a request,
// known target or not (a mail goes only to a known one), and err for a confirmation. It
// records what reached it.
type resetAccounts struct {
	pageAccounts
	requestErr, confirmErr error

	mu        sync.Mutex
	requests  []ports.PasswordResetRequest
	confirms  []ports.PasswordResetConfirm
	mailsSent int
}

func (a *resetAccounts) RequestPasswordReset(_ context.Context, in ports.PasswordResetRequest) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, in)
	if a.requestErr == nil && (in.Username == "alice" || strings.EqualFold(in.Email, "alice@example.com")) {
		a.mailsSent++
	}
	return a.requestErr
}

func (a *resetAccounts) ConfirmPasswordReset(_ context.Context, in ports.PasswordResetConfirm) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.confirms = append(a.confirms, in)
	return a.confirmErr
}

func newResetServer(accounts *resetAccounts, on bool) *Server {
	return New(pageAuth{methods: allMethods}, accounts, fakeReady{},
		Config{SessionCookieMaxAge: time.Hour, SecretKeys: testKeys, PasswordReset: on},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

const resetSecret = "gtr_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

func confirmForm(password, again string) url.Values {
	return url.Values{"token": {resetSecret}, "new_password": {password}, "new_password2": {again},
		csrfFormField: {formToken}}
}

// TestResetPageForms: each reset form post reaches its use case only with a valid CSRF
// token from this site and well-formed input, and answers as the table says.
func TestResetPageForms(t *testing.T) {
	cross := func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }
	fromSameOrigin := func(r *http.Request) { // what a browser sends under Referrer-Policy: no-referrer
		r.Header.Set("Origin", "null")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	badLink := domain.NewValidationError("token", "This reset link is invalid or has expired.")
	weak := domain.NewValidationError("new_password", "This password is too common.")
	tests := []struct {
		name       string
		path       string
		form       url.Values
		edit       func(*http.Request)
		requestErr error
		confirmErr error
		status     int
		location   string
		text       []string // in the page
		absent     []string // never in the page
		calls      int      // use case calls
	}{
		{name: "request by address", path: "/password/reset", form: url.Values{"account": {"alice@example.com"}, csrfFormField: {formToken}},
			status: 303, location: "/password/reset?done=reset-sent", calls: 1},
		{name: "request by username", path: "/password/reset", form: url.Values{"account": {"nobody"}, csrfFormField: {formToken}},
			status: 303, location: "/password/reset?done=reset-sent", calls: 1},
		{name: "request from a no-referrer page", path: "/password/reset", form: url.Values{"account": {"alice"}, csrfFormField: {formToken}},
			edit: fromSameOrigin, status: 303, location: "/password/reset?done=reset-sent", calls: 1},
		{name: "request blank", path: "/password/reset", form: url.Values{"account": {""}, csrfFormField: {formToken}},
			status: 400, text: []string{"This field may not be blank."}},
		{name: "request bad address", path: "/password/reset", form: url.Values{"account": {"a@"}, csrfFormField: {formToken}},
			status: 400, text: []string{"Enter a valid email address.", `value="a@"`}, calls: 1,
			requestErr: domain.NewValidationError("email", "Enter a valid email address.")},
		{name: "request throttled", path: "/password/reset", form: url.Values{"account": {"alice"}, csrfFormField: {formToken}},
			status: 429, text: []string{"Expected available in 42 seconds.", `value="alice"`}, calls: 1,
			requestErr: &domain.RateLimitedError{RetryAfter: 42 * time.Second}},
		{name: "request store down", path: "/password/reset", form: url.Values{"account": {"alice"}, csrfFormField: {formToken}},
			requestErr: domain.ErrUnavailable, status: 503, text: []string{"Service temporarily unavailable"}, calls: 1},
		{name: "request without CSRF field", path: "/password/reset", form: url.Values{"account": {"alice"}},
			status: 403, text: []string{"CSRF Failed"}},
		{name: "request with the session's token", path: "/password/reset", form: url.Values{"account": {"alice"}, csrfFormField: {domain.CSRFToken(liveSession)}},
			status: 403, text: []string{"CSRF Failed"}},
		{name: "request from another site", path: "/password/reset", form: url.Values{"account": {"alice"}, csrfFormField: {formToken}},
			edit: cross, status: 403, text: []string{"Origin checking failed"}},

		{name: "confirm", path: "/password/reset/confirm", form: confirmForm("harbour-Violet-8823", "harbour-Violet-8823"),
			status: 303, location: "/login?done=password-reset", calls: 1},
		{name: "confirm passwords differ", path: "/password/reset/confirm", form: confirmForm("harbour-Violet-8823", "harbour-Violet-8824"),
			status: 400, text: []string{"didn&#39;t match", `value="` + resetSecret + `"`}, absent: []string{"harbour", `id="reset-confirm" hidden`}},
		{name: "confirm without the second password", path: "/password/reset/confirm", form: confirmForm("harbour-Violet-8823", ""),
			status: 400, text: []string{"This field may not be blank."}, absent: []string{"harbour"}},
		{name: "confirm refused password", path: "/password/reset/confirm", form: confirmForm("password1", "password1"),
			confirmErr: weak, status: 400, text: []string{"This password is too common.", `value="` + resetSecret + `"`},
			absent: []string{"password1", `id="reset-confirm" hidden`}, calls: 1},
		{name: "confirm bad link", path: "/password/reset/confirm", form: confirmForm("harbour-Violet-8823", "harbour-Violet-8823"),
			confirmErr: badLink, status: 400, text: []string{"invalid or has expired", `<a href="/password/reset">Ask for a new link</a>`,
				`id="reset-confirm" hidden`}, absent: []string{"harbour", `id="reset-request" hidden`}, calls: 1},
		{name: "confirm without a link", path: "/password/reset/confirm", form: url.Values{"new_password": {"harbour-Violet-8823"},
			"new_password2": {"harbour-Violet-8823"}, csrfFormField: {formToken}},
			status: 400, text: []string{"Ask for a new link"}},
		{name: "confirm without CSRF field", path: "/password/reset/confirm", form: url.Values{"token": {resetSecret},
			"new_password": {"harbour-Violet-8823"}, "new_password2": {"harbour-Violet-8823"}},
			status: 403, text: []string{"CSRF Failed"}, absent: []string{resetSecret}},
		{name: "confirm from another site", path: "/password/reset/confirm", form: confirmForm("harbour-Violet-8823", "harbour-Violet-8823"),
			edit: cross, status: 403, text: []string{"Origin checking failed"}, absent: []string{resetSecret}},
		{name: "confirm as JSON", path: "/password/reset/confirm", form: confirmForm("harbour-Violet-8823", "harbour-Violet-8823"),
			edit: func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, status: 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &resetAccounts{requestErr: tt.requestErr, confirmErr: tt.confirmErr}
			rec := post(newResetServer(a, true), tt.path, tt.form, tt.edit)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, body)
			}
			if got := len(a.requests) + len(a.confirms); got != tt.calls {
				t.Errorf("%d use case calls, want %d", got, tt.calls)
			}
			for _, want := range tt.text {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q:\n%s", want, body)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(body, bad) {
					t.Errorf("the page holds %q:\n%s", bad, body)
				}
			}
			if got := rec.Header().Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q, want no-referrer", got)
			}
			if tt.status == 429 && rec.Header().Get("Retry-After") != "42" {
				t.Errorf("Retry-After = %q, want 42", rec.Header().Get("Retry-After"))
			}
		})
	}
}

// TestResetPageInputs: the page hands the use cases what the API would: an "@" makes the
// one field an address, and the confirmation carries the link's secret and the client.
func TestResetPageInputs(t *testing.T) {
	a := &resetAccounts{}
	s := newResetServer(a, true)
	for _, account := range []string{"Alice@Example.com", "alice"} {
		post(s, "/password/reset", url.Values{"account": {account}, csrfFormField: {formToken}}, nil)
	}
	post(s, "/password/reset/confirm", confirmForm("harbour-Violet-8823", "harbour-Violet-8823"),
		func(r *http.Request) { r.Header.Set("User-Agent", "Firefox/140.0") })
	if len(a.requests) != 2 || a.requests[0] != (ports.PasswordResetRequest{Email: "Alice@Example.com", IP: "192.0.2.1"}) ||
		a.requests[1] != (ports.PasswordResetRequest{Username: "alice", IP: "192.0.2.1"}) {
		t.Errorf("requests = %+v", a.requests)
	}
	want := ports.PasswordResetConfirm{Token: resetSecret, NewPassword: "harbour-Violet-8823", IP: "192.0.2.1", UserAgent: "Firefox/140.0"}
	if len(a.confirms) != 1 || a.confirms[0] != want {
		t.Errorf("confirms = %+v, want %+v", a.confirms, want)
	}
}

// TestResetRequestSameAnswer: a known and an unknown target get the same status, the same
// redirect and the same page after it; only the mail differs.
func TestResetRequestSameAnswer(t *testing.T) {
	type answer struct {
		status         int
		location, page string
	}
	ask := func(account string) (answer, int) {
		a := &resetAccounts{}
		s := newResetServer(a, true)
		rec := post(s, "/password/reset", url.Values{"account": {account}, csrfFormField: {formToken}}, nil)
		next := get(s, rec.Header().Get("Location"), &http.Cookie{Name: formCSRFCookie, Value: formNonce})
		return answer{rec.Code, rec.Header().Get("Location"), next.Body.String()}, a.mailsSent
	}
	for _, pair := range [][2]string{{"alice@example.com", "nobody@example.com"}, {"alice", "nobody"}} {
		known, mails := ask(pair[0])
		unknown, none := ask(pair[1])
		if mails != 1 || none != 0 {
			t.Fatalf("the fake sent %d and %d mails, want 1 and 0: the comparison proves nothing", mails, none)
		}
		if known != unknown {
			t.Errorf("%s and %s are answered differently:\n%+v\n%+v", pair[0], pair[1], known, unknown)
		}
		if !strings.Contains(known.page, resetRequestedDetail) {
			t.Errorf("the page after a request does not say %q:\n%s", resetRequestedDetail, known.page)
		}
	}
}

// TestResetPagesOff: without mail, the login page offers no reset and the reset pages are
// unknown paths; with it, the login page links to the request form, which carries the
// fragment script, the no-referrer policy and a noscript note.
func TestResetPagesOff(t *testing.T) {
	off := newResetServer(&resetAccounts{}, false)
	if body := get(off, "/login").Body.String(); strings.Contains(body, "/password/reset") {
		t.Errorf("with reset off the login page offers it:\n%s", body)
	}
	for _, r := range []struct{ method, path string }{{"GET", "/password/reset"}, {"POST", "/password/reset"}, {"POST", "/password/reset/confirm"}} {
		var code int
		if r.method == "GET" {
			code = get(off, r.path).Code
		} else {
			code = post(off, r.path, url.Values{"account": {"alice"}, csrfFormField: {formToken}}, nil).Code
		}
		if code != http.StatusNotFound {
			t.Errorf("with reset off %s %s: status %d, want 404", r.method, r.path, code)
		}
	}

	on := newResetServer(&resetAccounts{}, true)
	if body := get(on, "/login").Body.String(); !strings.Contains(body, `<a href="/password/reset" id="forgot-password">`) {
		t.Errorf("with reset on the login page has no link to it:\n%s", body)
	}
	rec := get(on, "/password/reset")
	body := rec.Body.String()
	for _, want := range []string{`<script src="/static/fragment.js" defer></script>`, `name="token" value="" data-from-fragment`,
		`id="reset-confirm" hidden data-fragment-shows`, `id="reset-request" data-fragment-hides`, "<noscript>",
		`action="/password/reset"`, `action="/password/reset/confirm"`, `value="` + issuedFormToken(rec) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the reset page lacks %q:\n%s", want, body)
		}
	}
	if rec.Code != 200 || rec.Header().Get("Referrer-Policy") != "no-referrer" ||
		rec.Header().Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Errorf("status %d, headers %v", rec.Code, rec.Header())
	}
	if body := get(on, "/login").Body.String(); strings.Contains(body, "fragment.js") {
		t.Errorf("a page without a fragment field loads the fragment script")
	}
	if rec := get(on, "/static/fragment.js"); rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("/static/fragment.js: status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// issuedFormToken returns the form token a fresh browser got with rec.
func issuedFormToken(rec interface{ Result() *http.Response }) string {
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == formCSRFCookie {
			return testKeys.FormToken(ck.Value)
		}
	}
	return "no form cookie"
}
