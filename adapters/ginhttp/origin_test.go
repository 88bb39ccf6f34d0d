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

// originAuth accepts any Basic or Token header, and liveSession with its CSRF token, as the
// chain would: what the origin rule lets through reaches a handler that succeeds.
type originAuth struct{}

func (originAuth) Authenticate(ctx context.Context, c domain.RequestCredentials) (ports.AuthResult, error) {
	switch c.Authorization.Scheme {
	case domain.SchemeBasic:
		return ports.AuthResult{Principal: domain.Principal{User: domain.User{ID: 1}, Method: domain.MethodBasic}}, nil
	case domain.SchemeToken:
		return ports.AuthResult{Principal: domain.Principal{User: domain.User{ID: 1}, Method: domain.MethodToken}}, nil
	}
	return pageAuth{}.Authenticate(ctx, c)
}

func (originAuth) Methods() []domain.AuthMethod { return allMethods }

// originAccounts succeeds at the use cases TestOriginRule reaches.
type originAccounts struct{ pageAccounts }

func (originAccounts) LogoutAll(context.Context, domain.Principal) error { return nil }

func (originAccounts) RevokeToken(context.Context, domain.Principal, string) error { return nil }

// TestOriginRule: every path a forged cross-site request could reach goes through the one
// origin rule, with the same verdict for the same headers: cookie and Basic unsafe API
// requests, verify for the original method, the API login and the pages' forms. Issue #14's
// cases: a cross-site Origin from a browser without fetch metadata, an http:// Origin when
// cookies are Secure, a cross-site Referer without Origin. Clients that are not browsers
// (no Origin, Referer or Sec-Fetch-Site) still pass, and a Token header is never judged.
func TestOriginRule(t *testing.T) {
	const (
		basic   = "basic"
		cookie  = "cookie"
		token   = "token"
		anon    = "anonymous"
		ours    = "http://example.com"
		evil    = "https://evil.example"
		trusted = "https://app.example.com"
	)
	tests := []struct {
		name       string
		verb, path string
		cred       string
		secure     bool // Secure cookies: only https:// is our origin
		header     map[string]string
		status     int
	}{
		{"Basic, curl", "POST", "/v1/auth/logout/all", basic, false, nil, 204},
		{"Basic, old browser, cross-site Origin", "POST", "/v1/auth/logout/all", basic, false, map[string]string{"Origin": evil}, 403},
		{"Basic, old browser, our Origin", "POST", "/v1/auth/logout/all", basic, false, map[string]string{"Origin": ours}, 204},
		{"Basic, old browser, trusted Origin", "DELETE", "/v1/auth/tokens/t1", basic, false, map[string]string{"Origin": trusted}, 204},
		{"Basic, old browser, cross-site Referer", "POST", "/v1/auth/logout/all", basic, false, map[string]string{"Referer": evil + "/"}, 403},
		{"Basic, read from anywhere", "GET", "/v1/auth/me", basic, false, map[string]string{"Origin": evil, "Sec-Fetch-Site": "cross-site"}, 200},
		{"cookie, curl", "POST", "/v1/auth/logout", cookie, false, nil, 204},
		{"cookie, same-origin fetch", "POST", "/v1/auth/logout", cookie, false, map[string]string{"Origin": ours, "Sec-Fetch-Site": "same-origin"}, 204},
		{"cookie, cross-site fetch", "POST", "/v1/auth/logout", cookie, false, map[string]string{"Origin": evil, "Sec-Fetch-Site": "cross-site"}, 403},
		{"cookie, trusted cross-site fetch", "POST", "/v1/auth/logout", cookie, false, map[string]string{"Origin": trusted, "Sec-Fetch-Site": "cross-site"}, 204},
		{"cookie, old browser, cross-site Origin", "POST", "/v1/auth/password", cookie, false, map[string]string{"Origin": evil}, 403},
		{"cookie, Secure, http Origin", "POST", "/v1/auth/logout", cookie, true, map[string]string{"Origin": ours}, 403},
		{"cookie, Secure, https Origin", "POST", "/v1/auth/logout", cookie, true, map[string]string{"Origin": "https://example.com"}, 204},
		{"token header, cross-site", "POST", "/v1/auth/logout", token, false, map[string]string{"Origin": evil, "Sec-Fetch-Site": "cross-site"}, 204},
		{"verify, cookie, old browser, cross-site POST", "GET", "/v1/auth/verify", cookie, false, map[string]string{"X-Original-Method": "POST", "Origin": evil}, 403},
		{"verify, cookie, cross-site GET", "GET", "/v1/auth/verify", cookie, false, map[string]string{"X-Original-Method": "GET", "Origin": evil}, 200},
		{"login, curl", "POST", "/v1/auth/login", anon, true, nil, 200},
		{"login, our Origin", "POST", "/v1/auth/login", anon, false, map[string]string{"Origin": ours}, 200},
		{"login, cross-site Origin", "POST", "/v1/auth/login", anon, false, map[string]string{"Origin": evil}, 403},
		{"login, cross-site fetch, no Origin", "POST", "/v1/auth/login", anon, false, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"login, Secure, http Origin", "POST", "/v1/auth/login", anon, true, map[string]string{"Origin": ours}, 403},
		{"login, cross-site Referer, no Origin", "POST", "/v1/auth/login", anon, false, map[string]string{"Referer": evil + "/login"}, 403},
		{"login, our Referer, no Origin", "POST", "/v1/auth/login", anon, false, map[string]string{"Referer": ours + "/app"}, 200},
		{"login, malformed Referer", "POST", "/v1/auth/login", anon, false, map[string]string{"Referer": "http://[::1"}, 403},
		{"login, trusted Referer", "POST", "/v1/auth/login", anon, true, map[string]string{"Referer": trusted + "/"}, 200},
		{"page form, Secure, http Origin", "POST", "/login", anon, true, map[string]string{"Origin": ours}, 403},
		{"page form, same-origin fetch", "POST", "/login", anon, true, map[string]string{"Origin": ours, "Sec-Fetch-Site": "same-origin"}, 303},
		{"page form, cross-site Referer", "POST", "/signup", anon, false, map[string]string{"Referer": evil + "/"}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(originAuth{}, originAccounts{}, fakeReady{},
				Config{SessionCookieMaxAge: time.Hour, CookieSecure: tt.secure, TrustedOrigins: []string{trusted}, SecretKeys: testKeys},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			body := strings.NewReader(url.Values{"username": {"alice"}, "password": {"correct horse"}, csrfFormField: {formToken}}.Encode())
			req := httptest.NewRequest(tt.verb, tt.path, body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: formCSRFCookie, Value: formNonce})
			switch tt.cred {
			case basic:
				req.Header.Set("Authorization", "Basic dTpw")
			case token:
				req.Header.Set("Authorization", "Token gth_x")
			case cookie:
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: liveSession})
				req.Header.Set("X-CSRFToken", domain.CSRFToken(liveSession))
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 403 && !strings.Contains(rec.Body.String(), "CSRF Failed: ") {
				t.Errorf("the refusal does not say why: %s", rec.Body)
			}
		})
	}
}
