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

// liveSession is the one session secret pageAuth accepts.
const liveSession = "gts_live"

// pageAuth authenticates liveSession, checking its CSRF token as the chain does, and fails
// the request if a page ever passes on other credentials.
type pageAuth struct{ methods []domain.AuthMethod }

func (a pageAuth) Authenticate(_ context.Context, c domain.RequestCredentials) (ports.AuthResult, error) {
	if c.Authorization.Scheme != domain.SchemeNone || c.TokenCookie != "" {
		return ports.AuthResult{}, domain.ErrInvalidCredentials
	}
	if c.SessionSecret != liveSession {
		return ports.AuthResult{ClearSessionCookie: c.SessionSecret != ""}, domain.ErrNotAuthenticated
	}
	if err := domain.CheckCSRF(c.Method, domain.CSRFToken(liveSession), c.CSRFToken); err != nil {
		return ports.AuthResult{}, err
	}
	return ports.AuthResult{Principal: domain.Principal{User: domain.User{ID: 1, Username: "alice"},
		Method: domain.MethodSession, Session: &domain.Session{ID: "s1"}}}, nil
}

func (a pageAuth) Methods() []domain.AuthMethod { return a.methods }

// pageAccounts answers every use case with err, or with a small success.
type pageAccounts struct {
	ports.Accounts
	err error
}

func (a pageAccounts) Login(context.Context, ports.Login) (domain.User, domain.IssuedSession, error) {
	return domain.User{}, domain.IssuedSession{Secret: "gts_new", CSRFToken: "new-csrf"}, a.err
}

func (a pageAccounts) SignUp(context.Context, ports.SignUp) (domain.User, error) {
	return domain.User{}, a.err
}

func (a pageAccounts) ObtainToken(_ context.Context, in ports.Login) (domain.IssuedToken, error) {
	return domain.IssuedToken{Token: domain.Token{ID: "t1", Name: in.TokenName}, Secret: "gth_shown_once"}, a.err
}

func (a pageAccounts) ListSessions(context.Context, domain.Principal) ([]domain.Session, error) {
	return []domain.Session{{ID: "s1", IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}}, nil
}

func (a pageAccounts) ListTokens(context.Context, domain.Principal) ([]domain.Token, error) {
	return []domain.Token{{ID: "t0", Name: "laptop"}}, nil
}

func (a pageAccounts) Logout(context.Context, domain.Principal) error { return a.err }

func (a pageAccounts) DeleteAccount(context.Context, domain.Principal, ports.AccountDeletion) error {
	return a.err
}

func newPageServer(accountsErr error) *Server {
	return New(pageAuth{methods: allMethods}, pageAccounts{err: accountsErr}, fakeReady{},
		Config{SessionCookieMaxAge: time.Hour, SecretKeys: testKeys}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// testKeys sign the test servers' form tokens; formToken is the field of the formNonce cookie.
var (
	testKeys  = domain.NewServerKeys([domain.ServerKeyBytes]byte{1})
	formNonce = domain.NewFormNonce([domain.SecretBytes]byte{2})
	formToken = testKeys.FormToken(formNonce)
)

// post sends a form as a browser on our own origin would, with the anonymous CSRF cookie
// and the live session; edit changes the request first.
func post(h http.Handler, path string, form url.Values, edit func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://example.com")
	r.AddCookie(&http.Cookie{Name: formCSRFCookie, Value: formNonce})
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: liveSession})
	if edit != nil {
		edit(r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func get(h http.Handler, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func loginForm(next string) url.Values {
	return url.Values{"username": {"alice"}, "password": {"correct horse"}, csrfFormField: {formToken}, "next": {next}}
}

func TestLocalPath(t *testing.T) {
	tests := []struct {
		next string
		ok   bool
	}{
		{"/account", true},
		{"/", true},
		{"/account?tab=tokens#new", true},
		{"/%2F%2Fevil.example", true}, // a path segment, not an authority
		{"", false},
		{"account", false},
		{"//evil.example", false},
		{"///evil.example", false},
		{"/\\evil.example", false},
		{"\\\\evil.example", false},
		{"/\t/evil.example", false},
		{"/\n/evil.example", false},
		{"/account\r\nSet-Cookie: x=y", false},
		{"https://evil.example/account", false},
		{"http:/evil.example", false},
		{"javascript:alert(1)", false},
		{"/caf\u00e9", false},
		{"/" + strings.Repeat("a", 2048), false},
	}
	for _, tt := range tests {
		got := localPath(tt.next)
		if want := map[bool]string{true: tt.next, false: ""}[tt.ok]; got != want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, want)
		}
	}
}

// TestLoginNext: a successful login goes to next only when it is a local path.
func TestLoginNext(t *testing.T) {
	tests := []struct{ next, location string }{
		{"", "/account"},
		{"/account?done=x", "/account?done=x"},
		{"//evil.example/", "/account"},
		{"/.//evil.example/", "/evil.example/"}, // http.Redirect cleans the path: still local
		{"https://evil.example/", "/account"},
		{"/\\evil.example", "/account"},
		{"javascript:alert(1)", "/account"},
	}
	for _, tt := range tests {
		t.Run(tt.next, func(t *testing.T) {
			rec := post(newPageServer(nil), "/login", loginForm(tt.next), nil)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d, Location %q; want 303 to %q", rec.Code, rec.Header().Get("Location"), tt.location)
			}
			if !strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "sessionid=gts_new") {
				t.Errorf("no new session cookie: %q", rec.Header().Values("Set-Cookie"))
			}
		})
	}
	if body := get(newPageServer(nil), "/login?next=//evil.example").Body.String(); strings.Contains(body, "evil") {
		t.Errorf("the login form carries an outside next:\n%s", body)
	}
	// Someone already logged in goes straight on, by the same rule.
	live := &http.Cookie{Name: sessionCookie, Value: liveSession}
	for next, location := range map[string]string{"/account?x=1": "/account?x=1", "//evil.example": "/account"} {
		rec := get(newPageServer(nil), "/login?next="+url.QueryEscape(next), live)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != location {
			t.Errorf("logged in, GET /login?next=%s: status %d to %q, want 303 to %q", next, rec.Code, rec.Header().Get("Location"), location)
		}
	}
}

// TestPageHeaders: every page, error pages included, forbids framing, inline scripts and
// outside resources, and keeps its URL from other sites.
func TestPageHeaders(t *testing.T) {
	live := &http.Cookie{Name: sessionCookie, Value: liveSession}
	tests := []struct {
		name   string
		rec    *httptest.ResponseRecorder
		status int
	}{
		{"login", get(newPageServer(nil), "/login"), 200},
		{"signup", get(newPageServer(nil), "/signup"), 200},
		{"account", get(newPageServer(nil), "/account", live), 200},
		{"bad login", post(newPageServer(domain.ErrInvalidCredentials), "/login", loginForm(""), nil), 401},
		{"second step", post(newPageServer(&domain.SecondFactorRequiredError{Ticket: "gtm_x"}), "/login", loginForm(""), nil), 200},
		{"csrf refusal", post(newPageServer(nil), "/logout", url.Values{}, nil), 403},
		// The one page that shows a secret.
		{"new token", post(newPageServer(nil), "/account/tokens", url.Values{"name": {"ci"}, "password": {"pw"},
			csrfFormField: {domain.CSRFToken(liveSession)}}, nil), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.rec.Header()
			if tt.rec.Code != tt.status {
				t.Errorf("status %d, want %d", tt.rec.Code, tt.status)
			}
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q allows unsafe sources", csp)
			}
			for k, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
				"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"} {
				if h.Get(k) != want {
					t.Errorf("%s = %q, want %q", k, h.Get(k), want)
				}
			}
			body := tt.rec.Body.String()
			if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "http") {
				t.Errorf("page has an inline script or style, or an absolute URL:\n%s", body)
			}
		})
	}
}

// TestPageCSRF: a form post without its CSRF token, with a wrong one, or from another site
// is refused with a 403 page before any use case runs.
func TestPageCSRF(t *testing.T) {
	cross := func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }
	tests := []struct {
		name   string
		path   string
		form   url.Values
		edit   func(*http.Request)
		status int
	}{
		{"login ok", "/login", loginForm(""), nil, 303},
		{"login without the field", "/login", url.Values{"username": {"a"}, "password": {"b"}}, nil, 403},
		{"login with a wrong token", "/login", url.Values{csrfFormField: {"x" + formToken[1:]}}, nil, 403},
		{"login without the cookie", "/login", loginForm(""), func(r *http.Request) { r.Header.Del("Cookie") }, 403},
		// Issue #14: a plain double submit took any value shared by the cookie and the field.
		{"login with a made-up pair", "/login", url.Values{"username": {"a"}, "password": {"b"}, csrfFormField: {"a"}},
			func(r *http.Request) { r.Header.Set("Cookie", formCSRFCookie+"=a") }, 403},
		{"login with the nonce as its token", "/login", url.Values{"username": {"a"}, "password": {"b"}, csrfFormField: {formNonce}}, nil, 403},
		{"login with another server's token", "/login", url.Values{"username": {"a"}, "password": {"b"},
			csrfFormField: {domain.NewServerKeys([domain.ServerKeyBytes]byte{9}).FormToken(formNonce)}}, nil, 403},
		{"login marked cross-site", "/login", loginForm(""), func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403},
		{"login from another site", "/login", loginForm(""), cross, 403},
		{"login from an opaque origin", "/login", loginForm(""), func(r *http.Request) { r.Header.Set("Origin", "null") }, 403},
		{"login referred by another site", "/login", loginForm(""), func(r *http.Request) {
			r.Header.Del("Origin")
			r.Header.Set("Referer", "http://evil.example/form")
		}, 403},
		{"login referred by us", "/login", loginForm(""), func(r *http.Request) {
			r.Header.Del("Origin")
			r.Header.Set("Referer", "http://example.com/login")
		}, 303},
		{"login as JSON", "/login", loginForm(""), func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 415},
		{"signup ok", "/signup", url.Values{"username": {"a"}, "password": {"b"}, csrfFormField: {formToken}}, nil, 303},
		{"signup without the field", "/signup", url.Values{"username": {"a"}, "password": {"b"}}, nil, 403},
		{"signup from another site", "/signup", url.Values{csrfFormField: {formToken}}, cross, 403},
		{"logout ok", "/logout", url.Values{csrfFormField: {domain.CSRFToken(liveSession)}}, nil, 303},
		{"logout without the field", "/logout", url.Values{}, nil, 403},
		{"logout with the anonymous token", "/logout", url.Values{csrfFormField: {formToken}}, nil, 403},
		{"logout from another site", "/logout", url.Values{csrfFormField: {domain.CSRFToken(liveSession)}}, cross, 403},
		{"revoke without the field", "/account/tokens/t0/revoke", url.Values{}, nil, 403},
		{"password without the field", "/account/password", url.Values{}, nil, 403},
		{"delete without the field", "/account/delete", url.Values{"password": {"pw"}}, nil, 403},
		{"delete with the anonymous token", "/account/delete", url.Values{"password": {"pw"}, csrfFormField: {formToken}}, nil, 403},
		{"delete from another site", "/account/delete", url.Values{"password": {"pw"}, csrfFormField: {domain.CSRFToken(liveSession)}}, cross, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A use case that ran would answer 401, not the status the guard gives.
			rec := post(newPageServer(nil), tt.path, tt.form, tt.edit)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 403 && !strings.Contains(rec.Body.String(), "CSRF Failed") {
				t.Errorf("the refusal does not say why:\n%s", rec.Body)
			}
		})
	}
}

// TestLoginFailure: a failed login shows the form again with the API's status and words,
// never the password.
func TestLoginFailure(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		text   string
	}{
		{"wrong password", domain.ErrInvalidCredentials, 401, "Invalid username or password."},
		{"throttled", &domain.RateLimitedError{RetryAfter: 42 * time.Second}, 429, "Expected available in 42 seconds."},
		{"store down", domain.ErrUnavailable, 503, "Service temporarily unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(newPageServer(tt.err), "/login", loginForm("/account"), nil)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, tt.text) {
				t.Fatalf("status %d, want %d with %q:\n%s", rec.Code, tt.status, tt.text, body)
			}
			if !strings.Contains(body, `name="username"`) || !strings.Contains(body, `value="alice"`) {
				t.Errorf("the form is not shown again with the username:\n%s", body)
			}
			if strings.Contains(body, "correct horse") {
				t.Errorf("the page echoes the password")
			}
			if strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "sessionid=") {
				t.Errorf("a failed login set a session cookie")
			}
		})
	}
}

func TestSignupFieldErrors(t *testing.T) {
	verr := domain.NewValidationError("password", "This password is too common.")
	rec := post(newPageServer(verr), "/signup", url.Values{"username": {"bob"}, "password": {"password1"},
		csrfFormField: {formToken}}, nil)
	body := rec.Body.String()
	if rec.Code != 400 || !strings.Contains(body, "This password is too common.") || !strings.Contains(body, `value="bob"`) {
		t.Fatalf("status %d, want 400 with the field message and the username kept:\n%s", rec.Code, body)
	}
	if strings.Contains(body, "password1") {
		t.Errorf("the page echoes the password")
	}
}

func TestAccountPage(t *testing.T) {
	rec := get(newPageServer(nil), "/account")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=/account" {
		t.Errorf("without a session: status %d to %q, want 303 to /login?next=/account", rec.Code, rec.Header().Get("Location"))
	}
	rec = get(newPageServer(nil), "/account", &http.Cookie{Name: sessionCookie, Value: "gts_stale"})
	if rec.Code != http.StatusSeeOther || !strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "sessionid=;") {
		t.Errorf("with a stale session: status %d, cookies %q; want 303 clearing the cookie", rec.Code, rec.Header().Values("Set-Cookie"))
	}
	// Header credentials never reach the chain from a page: a browser sends remembered Basic
	// credentials with any form, cross-site ones too.
	r := httptest.NewRequest("GET", "/account", nil)
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: liveSession})
	r.Header.Set("Authorization", "Basic YWxpY2U6cHc=")
	rec = httptest.NewRecorder()
	newPageServer(nil).ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Errorf("with a session and a Basic header: status %d, want 200 by the session alone", rec.Code)
	}
	body := get(newPageServer(nil), "/account", &http.Cookie{Name: sessionCookie, Value: liveSession}).Body.String()
	for _, want := range []string{"alice", "Firefox on Linux", "192.0.2.7", "this device", "laptop",
		`action="/account/sessions/s1/revoke"`, `action="/account/tokens/t0/revoke"`,
		`value="` + domain.CSRFToken(liveSession) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	rec = post(newPageServer(nil), "/account/tokens", url.Values{"name": {"ci"}, "password": {"pw"},
		csrfFormField: {domain.CSRFToken(liveSession)}}, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `value="gth_shown_once"`) {
		t.Errorf("creating a token: status %d, want 200 showing the secret once:\n%s", rec.Code, rec.Body)
	}
	rec = post(newPageServer(domain.ErrInvalidCredentials), "/account/tokens", url.Values{"name": {"ci"}, "password": {"pw"},
		csrfFormField: {domain.CSRFToken(liveSession)}}, nil)
	if rec.Code != 401 || strings.Contains(rec.Body.String(), "gth_") {
		t.Errorf("a wrong password: status %d, want 401 without a token", rec.Code)
	}
}

// TestDeleteAccountPage: the account page's deletion form logs the browser out and goes to
// the login page; a wrong password shows the account page again with the field's message,
// never the password.
func TestDeleteAccountPage(t *testing.T) {
	form := url.Values{"password": {"correct horse"}, csrfFormField: {domain.CSRFToken(liveSession)}}
	body := get(newPageServer(nil), "/account", &http.Cookie{Name: sessionCookie, Value: liveSession}).Body.String()
	if !strings.Contains(body, `action="/account/delete"`) {
		t.Errorf("the account page has no deletion form")
	}
	rec := post(newPageServer(nil), "/account/delete", form, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?done=deleted" {
		t.Fatalf("deleting: status %d to %q, want 303 to /login?done=deleted", rec.Code, rec.Header().Get("Location"))
	}
	if !strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "sessionid=;") {
		t.Errorf("deleting kept the session cookie: %q", rec.Header().Values("Set-Cookie"))
	}
	if body := get(newPageServer(nil), "/login?done=deleted").Body.String(); !strings.Contains(body, "Your account was deleted") {
		t.Errorf("the login page does not say the account is gone")
	}
	wrong := domain.NewValidationError("password", "Your password was entered incorrectly. Please enter it again.")
	rec = post(newPageServer(wrong), "/account/delete", form, nil)
	body = rec.Body.String()
	if rec.Code != 400 || !strings.Contains(body, "Your password was entered incorrectly.") {
		t.Errorf("a wrong password: status %d, want 400 with the message:\n%s", rec.Code, body)
	}
	if strings.Contains(body, "correct horse") {
		t.Errorf("the page echoes the password")
	}
	if strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), "sessionid=;") {
		t.Errorf("a refused deletion cleared the session cookie")
	}
	rec = post(newPageServer(&domain.RateLimitedError{RetryAfter: 42 * time.Second}), "/account/delete", form, nil)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "42" {
		t.Errorf("throttled: status %d, Retry-After %q; want 429 and 42", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestPagesNeedSessions: the pages log people in with sessions, so a chain without the
// session method has none.
func TestPagesNeedSessions(t *testing.T) {
	s := New(pageAuth{methods: []domain.AuthMethod{domain.MethodToken}}, pageAccounts{}, fakeReady{},
		Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if rec := get(s, "/login"); rec.Code != 404 {
		t.Errorf("GET /login: status %d, want 404", rec.Code)
	}
}

// TestHomeRedirectsToAccount: the bare address leads to the account page when there are
// pages, and stays a 404 problem document when there are none.
func TestHomeRedirectsToAccount(t *testing.T) {
	tokensOnly := New(pageAuth{methods: []domain.AuthMethod{domain.MethodToken}}, pageAccounts{}, fakeReady{},
		Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		name, method string
		server       *Server
		status       int
		location     string
	}{
		{"GET with pages", "GET", newPageServer(nil), 303, "/account"},
		{"HEAD with pages", "HEAD", newPageServer(nil), 303, "/account"},
		{"GET without pages", "GET", tokensOnly, 404, ""},
		{"HEAD without pages", "HEAD", tokensOnly, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.server.ServeHTTP(rec, httptest.NewRequest(tt.method, "/", nil))
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Errorf("status %d to %q, want %d to %q", rec.Code, rec.Header().Get("Location"), tt.status, tt.location)
			}
			if tt.status == 404 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q, want a problem document", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestStaticFiles(t *testing.T) {
	for path, ctype := range map[string]string{"/static/style.css": "text/css", "/static/copy.js": "text/javascript", "/static/passkey.js": "text/javascript"} {
		rec := get(newPageServer(nil), path)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), ctype) {
			t.Errorf("%s: status %d, Content-Type %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}

func TestBrowserName(t *testing.T) {
	tests := map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36":                     "Chrome on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0":     "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/604.1": "Safari on iOS",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:140.0) Gecko/20100101 Firefox/140.0":                                       "Firefox on macOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Mobile Safari/537.36":          "Headless Chrome on Android",
		"curl/8.5.0": "curl",
		"":           "Other browser",
	}
	for ua, want := range tests {
		if got := BrowserName(ua); got != want {
			t.Errorf("BrowserName(%q) = %q, want %q", ua, got, want)
		}
	}
}

// TestPagesEscape: every value a user or a client chooses (username, email, token name,
// User-Agent, address, refilled form values, next, an error's detail echoing an Origin) is
// shown as text, never as markup, whichever page and context it lands in.
func TestPagesEscape(t *testing.T) {
	const evil = `"'><script>alert(1)</script><img src=x onerror=alert(1)>`
	when := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	p := page{Title: evil, CSRF: evil, Notice: evil, Error: evil, Failed: "token", Next: "/" + evil, Ticket: evil,
		Fields: map[string][]string{"username": {evil}, "email": {evil}, "password": {evil}, "name": {evil}, "token": {evil}, "new_password": {evil}},
		Values: map[string]string{"username": evil, "email": evil, "name": evil, "account": evil, "token": evil}, PasswordRules: []string{evil},
		Account: &accountView{
			User:     userView{Username: evil, Email: evil, DateJoined: when},
			Sessions: []sessionView{{ID: evil, IP: evil, UserAgent: evil + " Firefox/1", Current: true}},
			Tokens:   []TokenView{{ID: evil, Name: evil, CreatedAt: when}},
			NewToken: &issuedTokenView{Token: evil, ID: evil, Name: evil},
			MFA:      mfaView{Enrolment: &totpEnrolmentPage{Secret: evil}, RecoveryCodes: evil},
		}}
	for name := range pageTemplates {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			if err := pageTemplates[name].ExecuteTemplate(&b, "layout", p); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			// "<img src=x", not "<img": the account page has an image of its own (the QR code).
			for _, bad := range []string{"<script>", "<img src=x", `"'>`} {
				if strings.Contains(out, bad) {
					t.Errorf("%s page holds %q unescaped:\n%s", name, bad, out)
				}
			}
		})
	}
}

// TestFormTokenKeys: the login form's token is signed with the first key; a form shown before
// a key rotation, signed with a key still listed, is accepted; a fresh browser gets a nonce
// cookie and a token that verifies against it.
func TestFormTokenKeys(t *testing.T) {
	newKey := [domain.ServerKeyBytes]byte{7}
	rotated := New(pageAuth{methods: allMethods}, pageAccounts{}, fakeReady{},
		Config{SessionCookieMaxAge: time.Hour, SecretKeys: domain.NewServerKeys(newKey, [domain.ServerKeyBytes]byte{1})},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if rec := post(rotated, "/login", loginForm(""), nil); rec.Code != http.StatusSeeOther {
		t.Errorf("a form signed with the previous key: status %d, want 303", rec.Code)
	}

	rec := get(rotated, "/login")
	var nonce string
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == formCSRFCookie {
			nonce = ck.Value
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("form cookie %+v: want HttpOnly and SameSite=Strict", ck)
			}
		}
	}
	want := domain.NewServerKeys(newKey).FormToken(nonce)
	if !domain.ValidFormNonce(nonce) || !strings.Contains(rec.Body.String(), `value="`+want+`"`) {
		t.Fatalf("nonce %q; the form does not carry its token signed with the first key:\n%s", nonce, rec.Body)
	}
	if strings.Contains(rec.Body.String(), nonce) {
		t.Errorf("the page shows the cookie's nonce")
	}
}
