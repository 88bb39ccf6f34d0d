package ginhttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// methodAuth authenticates like a session that needs CSRF: a request judged unsafe without
// an X-CSRFToken fails, and the method the chain was given is recorded.
type methodAuth struct{ got *string }

func (a methodAuth) Authenticate(_ context.Context, creds domain.RequestCredentials) (ports.AuthResult, error) {
	*a.got = creds.Method
	if err := domain.CheckCSRF(creds.Method, "expected", creds.CSRFToken); err != nil {
		return ports.AuthResult{}, err
	}
	return ports.AuthResult{Principal: domain.Principal{
		User:    domain.User{ID: 42, Username: "zoë@example"},
		Method:  domain.MethodSession,
		Session: &domain.Session{ID: "session-public-id"},
	}}, nil
}

func (methodAuth) Methods() []domain.AuthMethod { return allMethods }

func TestVerifyJudgesTheOriginalMethod(t *testing.T) {
	tests := []struct {
		name       string
		verb       string
		header     map[string][]string
		status     int
		wantMethod string // what the chain is asked to judge
	}{
		{"nginx GET", "GET", map[string][]string{"X-Original-Method": {"GET"}}, 200, "GET"},
		{"HEAD probe", "HEAD", map[string][]string{"X-Original-Method": {"GET"}}, 200, "GET"},
		{"Traefik GET", "GET", map[string][]string{"X-Forwarded-Method": {"GET"}}, 200, "GET"},
		{"both agree", "GET", map[string][]string{"X-Original-Method": {"HEAD"}, "X-Forwarded-Method": {"HEAD"}}, 200, "HEAD"},
		{"POST without CSRF token", "GET", map[string][]string{"X-Original-Method": {"POST"}}, 403, "POST"},
		{"POST with CSRF token", "GET", map[string][]string{"X-Original-Method": {"POST"}, "X-CSRFToken": {"expected"}}, 200, "POST"},
		{"lower-case get is not GET", "GET", map[string][]string{"X-Original-Method": {"get"}}, 403, "get"},
		{"no method header is unsafe", "GET", nil, 403, ""},
		{"no method header with CSRF token", "GET", map[string][]string{"X-CSRFToken": {"expected"}}, 200, ""},
		{"not a token", "GET", map[string][]string{"X-Original-Method": {"GET /x"}}, 400, "unasked"},
		{"empty", "GET", map[string][]string{"X-Forwarded-Method": {""}}, 400, "unasked"},
		{"non-ASCII", "GET", map[string][]string{"X-Original-Method": {"GÉT"}}, 400, "unasked"},
		{"a client's safer second value", "GET", map[string][]string{"X-Original-Method": {"POST", "GET"}}, 400, "unasked"},
		{"proxies disagree", "GET", map[string][]string{"X-Original-Method": {"POST"}, "X-Forwarded-Method": {"GET"}}, 400, "unasked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := "unasked"
			srv := New(methodAuth{got: &got}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest(tt.verb, "/v1/auth/verify", nil)
			for k, vs := range tt.header {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got != tt.wantMethod {
				t.Errorf("chain judged method %q, want %q", got, tt.wantMethod)
			}
			if tt.status != 200 {
				if tt.verb != "HEAD" {
					decodeProblem(t, rec)
				}
				if v := rec.Header().Get(userIDHeader); v != "" {
					t.Errorf("refusal carries %s: %q", userIDHeader, v)
				}
				return
			}
			for h, want := range map[string]string{
				userIDHeader: "42", usernameHeader: "zo%C3%AB@example", authMethodHeader: "session",
			} {
				if v := rec.Header().Values(h); len(v) != 1 || v[0] != want {
					t.Errorf("%s = %q, want %q", h, v, want)
				}
			}
			if rec.Body.Len() != 0 {
				t.Errorf("body %q, want none", rec.Body)
			}
		})
	}
}

func TestVerifyRefusals(t *testing.T) {
	rec := do(newTestServer(fakeAuth{methods: allMethods, err: domain.ErrNotAuthenticated}, nil), "GET", "/v1/auth/verify")
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", rec.Code)
	}
	// One field: nginx before 1.23 passes on only the first.
	if ch, want := rec.Header().Values("WWW-Authenticate"), `Token realm="gatehouse", Basic realm="gatehouse"`; len(ch) != 1 || ch[0] != want {
		t.Errorf("WWW-Authenticate = %q, want one field %q", ch, want)
	}
	decodeProblem(t, rec)

	rec = do(newTestServer(fakeAuth{methods: allMethods, err: domain.ErrUnavailable}, nil), "GET", "/v1/auth/verify")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("store down: status = %d, want 503", rec.Code)
	}
}

// TestHeaderSafe: the username header is a percent-encoding that decodes to the username
// itself, whatever the username holds. Sign-up never admits '%', but the users store may
// hold names made elsewhere (an imported Django table), and "zo%C3%AB" must not arrive
// looking like "zoë".
func TestHeaderSafe(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"alice", "alice"},
		{"a.b+c-d_e@f", "a.b+c-d_e@f"},
		{"zoë", "zo%C3%AB"},
		{"zo%C3%AB", "zo%25C3%25AB"},
		{"100%", "100%25"},
		{"a b\r\nX-Gatehouse-User-Id: 1", "a%20b%0D%0AX-Gatehouse-User-Id:%201"},
		{"\x7f\xff", "%7F%FF"},
	} {
		got := headerSafe(tt.name)
		if got != tt.want {
			t.Errorf("headerSafe(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if back, err := url.PathUnescape(got); err != nil || back != tt.name {
			t.Errorf("headerSafe(%q) = %q decodes to %q (%v)", tt.name, got, back, err)
		}
	}
}
