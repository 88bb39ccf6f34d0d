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

// changeAccounts answers the email change use cases with requestErr and confirmErr, and
// records what reached them.
type changeAccounts struct {
	pageAccounts
	requestErr, confirmErr error

	mu       sync.Mutex
	requests []ports.EmailChangeRequest
	confirms []ports.EmailChangeConfirm
}

func (a *changeAccounts) RequestEmailChange(_ context.Context, _ domain.Principal, in ports.EmailChangeRequest) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, in)
	return a.requestErr
}

func (a *changeAccounts) ConfirmEmailChange(_ context.Context, in ports.EmailChangeConfirm) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.confirms = append(a.confirms, in)
	if a.confirmErr != nil {
		return "", a.confirmErr
	}
	return "alice@example.net", nil
}

func (a *changeAccounts) calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.requests) + len(a.confirms)
}

// newChangeServer serves the API (every request authenticated as fakeAuth's user) or, with
// pages, the pages (pageAuth's session), with the email change on or off.
func newChangeServer(a *changeAccounts, on, pages bool) *Server {
	var auth ports.Authenticator = fakeAuth{methods: allMethods}
	if pages {
		auth = pageAuth{methods: allMethods}
	}
	return New(auth, a, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, SecretKeys: testKeys, EmailChange: on},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

const changeSecret = "gtc_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

func postJSON(h http.Handler, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// TestEmailChangeAPI: each route answers as the table says, and reaches its use case only
// with well-formed input.
func TestEmailChangeAPI(t *testing.T) {
	wrong := domain.NewValidationError("password", "Your password was entered incorrectly. Please enter it again.")
	badLink := domain.NewValidationError("token", "This email change link is invalid or has expired.")
	tests := []struct {
		name                   string
		path, body             string
		requestErr, confirmErr error
		status                 int
		fields                 []string // fields the problem document names
		calls                  int
	}{
		{name: "request", path: "/v1/auth/email", body: `{"email":"new@example.com","password":"pw"}`, status: 202, calls: 1},
		{name: "request without fields", path: "/v1/auth/email", body: `{}`, status: 400, fields: []string{"email", "password"}},
		{name: "request wrong password", path: "/v1/auth/email", body: `{"email":"new@example.com","password":"pw"}`,
			requestErr: wrong, status: 400, fields: []string{"password"}, calls: 1},
		{name: "request address taken", path: "/v1/auth/email", body: `{"email":"new@example.com","password":"pw"}`,
			requestErr: domain.ErrEmailTaken, status: 400, fields: []string{"email"}, calls: 1},
		{name: "request throttled", path: "/v1/auth/email", body: `{"email":"new@example.com","password":"pw"}`,
			requestErr: &domain.RateLimitedError{RetryAfter: time.Second}, status: 429, calls: 1},
		{name: "confirm", path: "/v1/auth/email/change/confirm", body: `{"token":"` + changeSecret + `"}`, status: 204, calls: 1},
		{name: "confirm without token", path: "/v1/auth/email/change/confirm", body: `{}`, status: 400, fields: []string{"token"}},
		{name: "confirm bad link", path: "/v1/auth/email/change/confirm", body: `{"token":"x"}`,
			confirmErr: badLink, status: 400, fields: []string{"token"}, calls: 1},
		{name: "confirm address taken meanwhile", path: "/v1/auth/email/change/confirm", body: `{"token":"` + changeSecret + `"}`,
			confirmErr: domain.ErrEmailTaken, status: 400, fields: []string{"email"}, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &changeAccounts{requestErr: tt.requestErr, confirmErr: tt.confirmErr}
			rec := postJSON(newChangeServer(a, true, false), tt.path, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if a.calls() != tt.calls {
				t.Errorf("%d use case calls, want %d", a.calls(), tt.calls)
			}
			if rec.Code == 202 && !strings.Contains(rec.Body.String(), "Check your new inbox") {
				t.Errorf("body = %s, want the detail", rec.Body)
			}
			if tt.fields != nil {
				var p struct {
					Errors map[string][]string `json:"errors"`
				}
				_ = json.Unmarshal(rec.Body.Bytes(), &p)
				for _, f := range tt.fields {
					if len(p.Errors[f]) == 0 {
						t.Errorf("problem %s names no %q", rec.Body, f)
					}
				}
			}
		})
	}
}

// TestEmailChangeAPIInputs: the use cases get the client with the input.
func TestEmailChangeAPIInputs(t *testing.T) {
	a := &changeAccounts{}
	s := newChangeServer(a, true, false)
	postJSON(s, "/v1/auth/email", `{"email":"new@example.com","password":"pw"}`)
	postJSON(s, "/v1/auth/email/change/confirm", `{"token":"`+changeSecret+`"}`)
	if len(a.requests) != 1 || a.requests[0] != (ports.EmailChangeRequest{Email: "new@example.com", Password: "pw", IP: "192.0.2.1"}) {
		t.Errorf("requests = %+v", a.requests)
	}
	if len(a.confirms) != 1 || a.confirms[0] != (ports.EmailChangeConfirm{Token: changeSecret, IP: "192.0.2.1"}) {
		t.Errorf("confirms = %+v", a.confirms)
	}
}

// TestEmailChangeNeedsMail: with mail off the routes and pages are unknown and the account
// page does not offer the change.
func TestEmailChangeNeedsMail(t *testing.T) {
	for _, on := range []bool{false, true} {
		a := &changeAccounts{}
		api, pages := newChangeServer(a, on, false), newChangeServer(a, on, true)
		status := map[bool]int{false: 404, true: 202}[on]
		if rec := postJSON(api, "/v1/auth/email", `{"email":"new@example.com","password":"pw"}`); rec.Code != status {
			t.Errorf("on=%v: POST /v1/auth/email = %d, want %d", on, rec.Code, status)
		}
		status = map[bool]int{false: 404, true: 204}[on]
		if rec := postJSON(api, "/v1/auth/email/change/confirm", `{"token":"`+changeSecret+`"}`); rec.Code != status {
			t.Errorf("on=%v: POST /v1/auth/email/change/confirm = %d, want %d", on, rec.Code, status)
		}
		status = map[bool]int{false: 404, true: 200}[on]
		if rec := get(pages, "/email/change"); rec.Code != status {
			t.Errorf("on=%v: GET /email/change = %d, want %d", on, rec.Code, status)
		}
		body := get(pages, "/account", &http.Cookie{Name: sessionCookie, Value: liveSession}).Body.String()
		if offered := strings.Contains(body, `action="/account/email"`); offered != on {
			t.Errorf("on=%v: the account page offers the change: %v", on, offered)
		}
	}
}

// TestEmailChangePageForms: the account page's form and the link page's form reach their
// use cases only with their CSRF tokens from this site, and answer as the table says.
func TestEmailChangePageForms(t *testing.T) {
	cross := func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }
	fromSameOrigin := func(r *http.Request) { // what a browser sends under Referrer-Policy: no-referrer
		r.Header.Set("Origin", "null")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	session := domain.CSRFToken(liveSession)
	ask := func(csrf string) url.Values {
		return url.Values{"email": {"new@example.com"}, "password": {"correct horse"}, csrfFormField: {csrf}}
	}
	confirm := url.Values{"token": {changeSecret}, csrfFormField: {formToken}}
	tests := []struct {
		name                   string
		path                   string
		form                   url.Values
		edit                   func(*http.Request)
		requestErr, confirmErr error
		status                 int
		location               string
		text, absent           []string
		calls                  int
	}{
		{name: "ask", path: "/account/email", form: ask(session), status: 303, location: "/account?done=email-change-sent", calls: 1},
		{name: "ask wrong password", path: "/account/email", form: ask(session), status: 400, calls: 1,
			requestErr: domain.NewValidationError("password", "Your password was entered incorrectly. Please enter it again."),
			text:       []string{"Your password was entered incorrectly.", `value="new@example.com"`}, absent: []string{"correct horse"}},
		{name: "ask address taken", path: "/account/email", form: ask(session), status: 400, calls: 1,
			requestErr: domain.ErrEmailTaken, text: []string{"A user with that email address already exists."}},
		{name: "ask throttled", path: "/account/email", form: ask(session), status: 429, calls: 1,
			requestErr: &domain.RateLimitedError{RetryAfter: 42 * time.Second}, text: []string{"Expected available in 42 seconds."}},
		{name: "ask blank", path: "/account/email", form: url.Values{"email": {""}, "password": {""}, csrfFormField: {session}},
			status: 400, text: []string{"This field may not be blank."}},
		{name: "ask without CSRF field", path: "/account/email", form: url.Values{"email": {"new@example.com"}, "password": {"pw"}}, status: 403},
		{name: "ask with the anonymous token", path: "/account/email", form: ask(formToken), status: 403},
		{name: "ask from another site", path: "/account/email", form: ask(session), edit: cross, status: 403},

		{name: "confirm", path: "/email/change/confirm", form: confirm, status: 200, calls: 1,
			text: []string{"Your email address is now", "alice@example.net"}, absent: []string{changeSecret}},
		{name: "confirm from a no-referrer page", path: "/email/change/confirm", form: confirm, edit: fromSameOrigin, status: 200, calls: 1},
		{name: "confirm bad link", path: "/email/change/confirm", form: confirm, status: 400, calls: 1,
			confirmErr: domain.NewValidationError("token", "This email change link is invalid or has expired."),
			text:       []string{"invalid or has expired", `id="change-confirm" hidden`, `id="change-nolink" hidden`}, absent: []string{"is now"}},
		{name: "confirm address taken meanwhile", path: "/email/change/confirm", form: confirm, status: 400, calls: 1,
			confirmErr: domain.ErrEmailTaken, text: []string{"A user with that email address already exists.", "Choose another one"}},
		{name: "confirm store down", path: "/email/change/confirm", form: confirm, status: 503, calls: 1,
			confirmErr: domain.ErrUnavailable, text: []string{"Service temporarily unavailable"}},
		{name: "confirm without a link", path: "/email/change/confirm", form: url.Values{csrfFormField: {formToken}}, status: 400},
		{name: "confirm without CSRF field", path: "/email/change/confirm", form: url.Values{"token": {changeSecret}}, status: 403,
			absent: []string{changeSecret}},
		{name: "confirm from another site", path: "/email/change/confirm", form: confirm, edit: cross, status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &changeAccounts{requestErr: tt.requestErr, confirmErr: tt.confirmErr}
			rec := post(newChangeServer(a, true, true), tt.path, tt.form, tt.edit)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, body)
			}
			if a.calls() != tt.calls {
				t.Errorf("%d use case calls, want %d", a.calls(), tt.calls)
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
		})
	}
}

// TestEmailChangeLinkPage: the link's page reads the secret from the fragment with the
// shared script, and refers nowhere.
func TestEmailChangeLinkPage(t *testing.T) {
	rec := get(newChangeServer(&changeAccounts{}, true, true), "/email/change")
	body := rec.Body.String()
	for _, want := range []string{`src="/static/fragment.js"`, `name="token" value="" data-from-fragment`,
		`action="/email/change/confirm"`, `id="change-confirm" hidden data-fragment-shows`, "<noscript>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	if got := rec.Header().Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer", got)
	}
}
