package ginhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// fakeAuth authenticates every request as one user, or fails with err.
type fakeAuth struct {
	methods []domain.AuthMethod
	err     error
}

func (f fakeAuth) Authenticate(context.Context, domain.RequestCredentials) (ports.AuthResult, error) {
	if f.err != nil {
		return ports.AuthResult{}, f.err
	}
	return ports.AuthResult{Principal: domain.Principal{User: domain.User{ID: 1, Username: "u"}, Method: domain.MethodToken}}, nil
}

func (f fakeAuth) Methods() []domain.AuthMethod { return f.methods }

// fakeAccounts fails every use case with err.
type fakeAccounts struct {
	ports.Accounts
	err error
}

func (f fakeAccounts) ListTokens(context.Context, domain.Principal) ([]domain.Token, error) {
	return nil, f.err
}

type fakeReady struct{ failed []string }

func (f fakeReady) Ready(context.Context) []string { return f.failed }

var allMethods = []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}

func newTestServer(auth fakeAuth, accountsErr error, failed ...string) *Server {
	return New(auth, fakeAccounts{err: accountsErr}, fakeReady{failed: failed},
		Config{SessionCookieMaxAge: time.Hour}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func do(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != rec.Code || p.Detail == "" || p.Title == "" || p.Type == "" {
		t.Fatalf("problem %+v does not describe status %d", p, rec.Code)
	}
	return p
}

// TestErrorStatuses pins the mapping from domain errors to HTTP answers.
func TestErrorStatuses(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"validation", domain.NewValidationError("name", "bad"), 400, "Invalid input."},
		{"username taken", domain.ErrUsernameTaken, 400, "Invalid input."},
		{"email taken", domain.ErrEmailTaken, 400, "Invalid input."},
		{"invalid credentials", domain.ErrInvalidCredentials, 401, "Invalid username or password."},
		{"invalid token", domain.ErrInvalidToken, 401, "Invalid token."},
		{"inactive user", domain.ErrInactiveUser, 401, "User inactive or deleted."},
		{"malformed header", &domain.MalformedCredentialsError{Reason: "Invalid basic header."}, 401, "Invalid basic header."},
		{"not authenticated", domain.ErrNotAuthenticated, 401, "Authentication credentials were not provided."},
		{"csrf", &domain.CSRFError{Reason: "CSRF token missing."}, 403, "CSRF Failed: CSRF token missing."},
		{"not found", domain.ErrNotFound, 404, "Not found."},
		{"rate limited", &domain.RateLimitedError{RetryAfter: 1500 * time.Millisecond}, 429, "Request was throttled. Expected available in 2 seconds."},
		{"store down", fmt.Errorf("redis: %w", domain.ErrUnavailable), 503, "Service temporarily unavailable, try again later."},
		{"bug", errors.New("boom"), 500, "Internal server error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(newTestServer(fakeAuth{methods: allMethods}, tt.err), "GET", "/v1/auth/tokens")
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if p := decodeProblem(t, rec); p.Detail != tt.detail {
				t.Errorf("detail = %q, want %q", p.Detail, tt.detail)
			}
			if tt.status == 401 && len(rec.Header().Values("WWW-Authenticate")) != 2 {
				t.Errorf("WWW-Authenticate = %q, want a Token and a Basic challenge", rec.Header().Values("WWW-Authenticate"))
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&domain.RateLimitedError{RetryAfter: 1500 * time.Millisecond}, "2"},
		{&domain.RateLimitedError{RetryAfter: time.Millisecond}, "1"},
		{domain.ErrUnavailable, "1"},
	} {
		rec := do(newTestServer(fakeAuth{methods: allMethods}, tt.err), "GET", "/v1/auth/tokens")
		if got := rec.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("%v: Retry-After = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestChallenges: a 401 offers one challenge per enabled header scheme in chain order, and a
// session-only chain, which has none to offer, answers 403. A script's fetch (Sec-Fetch-Mode:
// cors) is offered no Basic challenge, which would open a password dialog over its page.
func TestChallenges(t *testing.T) {
	sessionBasic := []domain.AuthMethod{domain.MethodSession, domain.MethodBasic}
	tests := []struct {
		methods   []domain.AuthMethod
		fetchMode string // Sec-Fetch-Mode
		status    int
		want      string
	}{
		{allMethods, "", 401, `Token realm="gatehouse"|Basic realm="gatehouse"`},
		{[]domain.AuthMethod{domain.MethodBasic, domain.MethodToken}, "", 401, `Basic realm="gatehouse"|Token realm="gatehouse"`},
		{sessionBasic, "", 401, `Basic realm="gatehouse"`},
		{[]domain.AuthMethod{domain.MethodSession}, "", 403, ``},
		{allMethods, "cors", 401, `Token realm="gatehouse"`},
		{allMethods, "navigate", 401, `Token realm="gatehouse"|Basic realm="gatehouse"`},
		{sessionBasic, "cors", 403, ``},
		{sessionBasic, "no-cors", 401, `Basic realm="gatehouse"`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.methods, tt.fetchMode), func(t *testing.T) {
			req := httptest.NewRequest("GET", "/v1/auth/me", nil)
			if tt.fetchMode != "" {
				req.Header.Set("Sec-Fetch-Mode", tt.fetchMode)
			}
			rec := httptest.NewRecorder()
			newTestServer(fakeAuth{methods: tt.methods, err: domain.ErrNotAuthenticated}, nil).ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := strings.Join(rec.Header().Values("WWW-Authenticate"), "|"); got != tt.want {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadiness(t *testing.T) {
	if rec := do(newTestServer(fakeAuth{}, nil), "GET", "/readyz"); rec.Code != 200 {
		t.Errorf("all stores up: status %d, want 200", rec.Code)
	}
	rec := do(newTestServer(fakeAuth{}, nil, "mysql"), "GET", "/readyz")
	if rec.Code != 503 {
		t.Fatalf("a store down: status %d, want 503", rec.Code)
	}
	if p := decodeProblem(t, rec); !strings.Contains(p.Detail, "mysql") {
		t.Errorf("detail %q does not name the failed store", p.Detail)
	}
}

// TestPanicIsAProblemDocument: a panicking handler answers 500 and the server keeps serving.
func TestPanicIsAProblemDocument(t *testing.T) {
	s := newTestServer(fakeAuth{}, nil)
	s.engine.GET("/panic", func(*gin.Context) { panic("kaboom") })
	rec := do(s, "GET", "/panic")
	if rec.Code != 500 {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	decodeProblem(t, rec)
	if rec := do(s, "GET", "/healthz"); rec.Code != 200 {
		t.Errorf("after a panic: healthz status %d, want 200", rec.Code)
	}
}

func TestRequestID(t *testing.T) {
	tests := []struct {
		given string
		keep  bool
	}{
		{"abc-123_x.y", true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{"evil\nlog line", false},
		{"spaces not allowed", false},
	}
	for _, tt := range tests {
		got := requestID(tt.given)
		if (got == tt.given) != tt.keep || got == "" {
			t.Errorf("requestID(%q) = %q, keep = %v", tt.given, got, tt.keep)
		}
	}
}
