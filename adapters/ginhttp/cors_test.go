package ginhttp

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// corsHeaders are the response headers of the CORS protocol; a response to an origin that
// is not listed carries none of them.
var corsHeaders = []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age",
	"Access-Control-Expose-Headers"}

// TestCORS: with GATEHOUSE_CORS_ORIGINS a listed origin's preflight gets 204 and the headers
// a credentialed fetch needs, and its requests name it in Access-Control-Allow-Origin; an
// unlisted origin, or any origin with CORS off, gets no CORS header and the answer it had
// before (OPTIONS is 405). The listed origin is trusted by the origin rule, but its cookie
// requests still need X-CSRFToken.
func TestCORS(t *testing.T) {
	const (
		app   = "https://app.example.com"
		other = "https://other.example.com"
		plain = "http://app.example.com"
	)
	preflight := func(origin, method, headers string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": method,
			"Access-Control-Request-Headers": headers}
	}
	tests := []struct {
		name       string
		origins    []string // Config.CORSOrigins
		verb, path string
		cookie     bool // the live session cookie
		csrf       bool // and its X-CSRFToken
		header     map[string]string
		status     int
		allow      string            // Access-Control-Allow-Origin, "" for no CORS header at all
		want       map[string]string // further response headers
	}{
		{"preflight, listed", []string{app}, "OPTIONS", "/v1/auth/logout", false, false,
			preflight(app, "POST", "content-type,x-csrftoken"), 204, app,
			map[string]string{"Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "POST",
				"Access-Control-Allow-Headers": "content-type,x-csrftoken", "Access-Control-Max-Age": "600"}},
		{"preflight, listed in other case", []string{app}, "OPTIONS", "/v1/auth/tokens/t1", false, false,
			preflight("https://APP.example.com", "DELETE", "authorization"), 204, "https://APP.example.com", nil},
		{"preflight, listed, method no route has", []string{app}, "OPTIONS", "/v1/auth/me", false, false,
			preflight(app, "PUT", ""), 204, "", nil},
		{"preflight, listed, header not allowed", []string{app}, "OPTIONS", "/v1/auth/me", false, false,
			preflight(app, "GET", "x-secret"), 204, "", nil},
		{"preflight, unlisted", []string{app}, "OPTIONS", "/v1/auth/logout", false, false,
			preflight(other, "POST", "content-type"), 405, "", nil},
		{"preflight, listed scheme differs", []string{app}, "OPTIONS", "/v1/auth/logout", false, false,
			preflight(plain, "POST", "content-type"), 405, "", nil},
		{"preflight, null origin", []string{app}, "OPTIONS", "/v1/auth/logout", false, false,
			preflight("null", "POST", "content-type"), 405, "", nil},
		{"preflight, unknown path, unlisted", []string{app}, "OPTIONS", "/nowhere", false, false,
			preflight(other, "GET", ""), 404, "", nil},
		{"preflight, CORS off", nil, "OPTIONS", "/v1/auth/logout", false, false,
			preflight(app, "POST", "content-type"), 405, "", nil},
		{"OPTIONS without preflight, listed", []string{app}, "OPTIONS", "/v1/auth/logout", false, false,
			map[string]string{"Origin": app}, 405, app, nil},
		{"GET, listed", []string{app}, "GET", "/v1/auth/me", true, false,
			map[string]string{"Origin": app, "Sec-Fetch-Site": "cross-site"}, 200, app,
			map[string]string{"Access-Control-Allow-Credentials": "true", "Vary": "Origin",
				"Access-Control-Expose-Headers": "Retry-After, X-Request-Id"}},
		{"GET, unlisted", []string{app}, "GET", "/v1/auth/me", true, false,
			map[string]string{"Origin": other, "Sec-Fetch-Site": "cross-site"}, 200, "", map[string]string{"Vary": "Origin"}},
		{"GET, CORS off", nil, "GET", "/v1/auth/me", true, false,
			map[string]string{"Origin": app, "Sec-Fetch-Site": "cross-site"}, 200, "", map[string]string{"Vary": ""}},
		{"GET, no Origin", []string{app}, "GET", "/healthz", false, false, nil, 200, "", nil},
		{"POST with CSRF, listed", []string{app}, "POST", "/v1/auth/logout", true, true,
			map[string]string{"Origin": app, "Sec-Fetch-Site": "cross-site"}, 204, app, nil},
		{"POST with CSRF, listed, old browser", []string{app}, "POST", "/v1/auth/logout", true, true,
			map[string]string{"Origin": app}, 204, app, nil},
		{"POST without CSRF, listed", []string{app}, "POST", "/v1/auth/logout", true, false,
			map[string]string{"Origin": app, "Sec-Fetch-Site": "cross-site"}, 403, app, nil},
		{"POST with CSRF, unlisted", []string{app}, "POST", "/v1/auth/logout", true, true,
			map[string]string{"Origin": other, "Sec-Fetch-Site": "cross-site"}, 403, "", nil},
		{"POST with CSRF, CORS off", nil, "POST", "/v1/auth/logout", true, true,
			map[string]string{"Origin": app, "Sec-Fetch-Site": "cross-site"}, 403, "", nil},
		{"login, listed", []string{app}, "POST", "/v1/auth/login", false, false,
			map[string]string{"Origin": app, "Sec-Fetch-Site": "cross-site"}, 200, app, nil},
		{"login, unlisted", []string{app}, "POST", "/v1/auth/login", false, false,
			map[string]string{"Origin": other, "Sec-Fetch-Site": "cross-site"}, 403, "", nil},
		{"login, unlisted same-site", []string{app}, "POST", "/v1/auth/login", false, false,
			map[string]string{"Origin": "https://a.example.com", "Sec-Fetch-Site": "same-site"}, 403, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(originAuth{}, originAccounts{}, fakeReady{},
				Config{SessionCookieMaxAge: time.Hour, CookieSecure: true, CORSOrigins: tt.origins, SecretKeys: testKeys},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest(tt.verb, tt.path, strings.NewReader(`{"username":"alice","password":"correct horse"}`))
			req.Header.Set("Content-Type", "application/json")
			if tt.cookie {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: liveSession})
			}
			if tt.csrf {
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
			if rec.Code >= 400 {
				decodeProblem(t, rec)
			}
			h := rec.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.allow {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.allow)
			}
			if tt.allow == "" {
				for _, name := range corsHeaders {
					if v, ok := h[name]; ok {
						t.Errorf("%s: %q, want no CORS header", name, v)
					}
				}
			}
			for name, want := range tt.want {
				if got := strings.Join(h.Values(name), ", "); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// TestLoginReturnsCSRFToken: a page on another origin cannot read the csrftoken cookie, so
// the session login and the cookie token answer with its value in the body.
func TestLoginReturnsCSRFToken(t *testing.T) {
	srv := newPageServer(nil)
	for path, want := range map[string]string{
		"/v1/auth/login": "new-csrf",
		"/v1/auth/token": domain.CSRFToken("gth_shown_once"),
	} {
		req := httptest.NewRequest("POST", path, strings.NewReader(`{"username":"alice","password":"pw","cookie":true}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var body struct {
			Token     string `json:"token"`
			CSRFToken string `json:"csrf_token"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d, %v: %s", path, rec.Code, err, rec.Body)
		}
		if body.CSRFToken != want || body.Token != "" {
			t.Errorf("%s: csrf_token %q, token %q; want csrf_token %q and no token", path, body.CSRFToken, body.Token, want)
		}
		var cookie string
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == csrfCookie {
				cookie = ck.Value
			}
		}
		if cookie != want {
			t.Errorf("%s: csrftoken cookie %q, want the body's %q", path, cookie, want)
		}
	}
}
