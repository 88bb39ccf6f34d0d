package ginhttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The two benchmarks below are read together (go test -bench Me -benchmem ./adapters/ginhttp):
// the difference in allocs/op is what Gatehouse's middleware and /me handler add to Gin's
// own, with the authenticator chain stubbed out (app's BenchmarkChain measures the chain).

// tokenAuth authenticates every request as a token holder, as the chain would after a store
// read, without doing one.
type tokenAuth struct{ p domain.Principal }

func (a tokenAuth) Authenticate(context.Context, domain.RequestCredentials) (ports.AuthResult, error) {
	return ports.AuthResult{Principal: a.p}, nil
}

func (tokenAuth) Methods() []domain.AuthMethod { return allMethods }

// sink is a ResponseWriter that keeps nothing, so the benchmarks measure the server and not
// a recorder.
type sink struct {
	h      http.Header
	status int
}

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) Write(b []byte) (int, error) { return len(b), nil }
func (s *sink) WriteHeader(status int)      { s.status = status }

func serveLoop(b *testing.B, h http.Handler, r *http.Request) {
	b.Helper()
	w := &sink{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status = 0
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

func BenchmarkMeToken(b *testing.B) {
	now := time.Now()
	p := domain.Principal{
		User:   domain.User{ID: 1, Username: "bench", Email: "bench@example.com", IsActive: true, DateJoined: now},
		Method: domain.MethodToken,
		Token:  &domain.Token{ID: "0123456789abcdef0123456789abcdef", UserID: 1, Name: "laptop", CreatedAt: now, LastUsedAt: now},
	}
	s := New(tokenAuth{p: p}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour},
		slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})))
	r := httptest.NewRequest(http.MethodGet, "/v1/auth/me", nil)
	r.Header.Set("Authorization", "Token "+domain.EncodeSecret(domain.TokenPrefix, [domain.SecretBytes]byte{}))
	serveLoop(b, s, r)
}

// BenchmarkMeBareGin is the floor: Gin answering the same JSON with no middleware.
func BenchmarkMeBareGin(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	now := time.Now()
	view := meView{userView: userView{ID: 1, Username: "bench", Email: "bench@example.com", DateJoined: now},
		Auth: authView{Method: domain.MethodToken, TokenID: "0123456789abcdef0123456789abcdef"}}
	e.GET("/v1/auth/me", func(c *gin.Context) { c.JSON(http.StatusOK, view) })
	r := httptest.NewRequest(http.MethodGet, "/v1/auth/me", nil)
	r.Header.Set("Authorization", "Token "+domain.EncodeSecret(domain.TokenPrefix, [domain.SecretBytes]byte{}))
	serveLoop(b, e, r)
}
