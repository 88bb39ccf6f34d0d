package ginhttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TestCrossSiteUnsafeRefused: a browser's remembered Basic credentials go with any cross-site
// form, and carry no CSRF token, so a Basic unsafe request that the browser marks as sent
// from another site is refused: on the API, and on verify for the original method. Clients
// that are not browsers send no Sec-Fetch-Site.
func TestCrossSiteUnsafeRefused(t *testing.T) {
	tests := []struct {
		name, verb, path string
		header           map[string]string
		status           int
	}{
		{"verify: no Sec-Fetch-Site", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST"}, 200},
		{"verify: same-origin", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST", "Sec-Fetch-Site": "same-origin"}, 200},
		{"verify: typed by the user", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST", "Sec-Fetch-Site": "none"}, 200},
		{"verify: cross-site POST", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST", "Sec-Fetch-Site": "cross-site"}, 403},
		{"verify: same-site POST", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST", "Sec-Fetch-Site": "same-site"}, 403},
		{"verify: no method named", "GET", "/v1/auth/verify", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"verify: cross-site link", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "GET", "Sec-Fetch-Site": "cross-site"}, 200},
		{"verify: trusted origin", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST", "Sec-Fetch-Site": "same-site",
			"Origin": "https://app.example.com"}, 200},
		{"verify: untrusted origin", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST", "Sec-Fetch-Site": "same-site",
			"Origin": "https://evil.example.com"}, 403},
		{"API: cross-site logout everywhere", "POST", "/v1/auth/logout/all", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"API: cross-site revoke", "DELETE", "/v1/auth/tokens/t1", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"API: cross-site read", "GET", "/v1/auth/tokens", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		// A browser never sends a Token header by itself: a cross-origin app sent it.
		{"verify: cross-site POST with a token", "GET", "/v1/auth/verify", map[string]string{"X-Original-Method": "POST",
			"Sec-Fetch-Site": "cross-site", "Authorization": "Token gth_x"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(fakeAuth{methods: allMethods}, fakeAccounts{}, fakeReady{},
				Config{SessionCookieMaxAge: time.Hour, TrustedOrigins: []string{"https://app.example.com"}},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest(tt.verb, tt.path, nil)
			req.Header.Set("Authorization", "Basic dTpw")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if rec.Code == http.StatusForbidden {
				decodeProblem(t, rec)
			}
		})
	}
}

// seenCreds records the credentials the chain was given.
type seenCreds struct{ got *domain.RequestCredentials }

func (s seenCreds) Authenticate(_ context.Context, c domain.RequestCredentials) (ports.AuthResult, error) {
	*s.got = c
	return ports.AuthResult{Principal: domain.Principal{User: domain.User{ID: 1}, Method: domain.MethodSession}}, nil
}

func (seenCreds) Methods() []domain.AuthMethod { return allMethods }

// TestCredentialCookies: the chain gets the session and token cookies by their names (with
// the __Host- prefix when configured), the first of each name, and nothing from others.
func TestCredentialCookies(t *testing.T) {
	tests := []struct {
		name          string
		hostPrefix    bool
		cookies       []string
		session, tokn string
	}{
		{"none", false, nil, "", ""},
		{"session", false, []string{"sessionid=s1"}, "s1", ""},
		{"both, one header", false, []string{"csrftoken=c; gatehouse_token=t1; sessionid=s1"}, "s1", "t1"},
		{"both, two headers", false, []string{"sessionid=s1", "gatehouse_token=t1"}, "s1", "t1"},
		{"first of a name", false, []string{"sessionid=s1; sessionid=s2"}, "s1", ""},
		{"others ignored", false, []string{"sessionidx=s1; token=t1"}, "", ""},
		{"host prefix", true, []string{"sessionid=plain; __Host-sessionid=s1; __Host-gatehouse_token=t1"}, "s1", "t1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got domain.RequestCredentials
			srv := New(seenCreds{&got}, fakeAccounts{}, fakeReady{},
				Config{SessionCookieMaxAge: time.Hour, TokenCookieName: "gatehouse_token", HostPrefix: tt.hostPrefix, CookieSecure: true},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest("GET", "/v1/auth/me", nil)
			for _, c := range tt.cookies {
				req.Header.Add("Cookie", c)
			}
			srv.ServeHTTP(httptest.NewRecorder(), req)
			if got.SessionSecret != tt.session || got.TokenCookie != tt.tokn {
				t.Errorf("session %q, token %q; want %q, %q", got.SessionSecret, got.TokenCookie, tt.session, tt.tokn)
			}
		})
	}
}
