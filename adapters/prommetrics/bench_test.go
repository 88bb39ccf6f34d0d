package prommetrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// BenchmarkUserByID measures what the decorator adds to the cheapest store call there is.
func BenchmarkUserByID(b *testing.B) {
	for _, bc := range []struct {
		name string
		wrap func(ports.UserStore) ports.UserStore
	}{
		{"bare", func(s ports.UserStore) ports.UserStore { return s }},
		{"measured", func(s ports.UserStore) ports.UserStore { return prommetrics.New().UserStore(s, "memory") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			users := bc.wrap(memstore.NewUserStore())
			u, err := users.CreateUser(b.Context(), domain.User{Username: "alice", IsActive: true}, domain.EmailShared)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := users.UserByID(b.Context(), u.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMiddleware measures what the HTTP metrics add to a request.
func BenchmarkMiddleware(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	for _, bc := range []struct {
		name string
		use  []gin.HandlerFunc
	}{
		{"bare", nil},
		{"measured", []gin.HandlerFunc{prommetrics.New().Middleware()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := gin.New()
			e.Use(bc.use...)
			e.GET("/v1/auth/me", func(c *gin.Context) { c.Status(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/v1/auth/me", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(w, req)
			}
		})
	}
}

// okChain authenticates every request by token.
type okChain struct{}

func (okChain) Authenticate(context.Context, domain.RequestCredentials) (ports.AuthResult, error) {
	return ports.AuthResult{Method: domain.MethodToken}, nil
}

func (okChain) Methods() []domain.AuthMethod { return []domain.AuthMethod{domain.MethodToken} }

// BenchmarkAuthenticator measures what counting a verdict adds to an authentication.
func BenchmarkAuthenticator(b *testing.B) {
	for _, bc := range []struct {
		name string
		auth ports.Authenticator
	}{
		{"bare", okChain{}},
		{"measured", prommetrics.New().Authenticator(okChain{})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.auth.Authenticate(b.Context(), domain.RequestCredentials{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
