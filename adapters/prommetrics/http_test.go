package prommetrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
)

func newRouter(m *prommetrics.Metrics) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.Use(m.Middleware())
	e.GET("/v1/auth/tokens/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	e.POST("/v1/auth/login", func(c *gin.Context) { c.Status(http.StatusUnauthorized) })
	return e
}

func TestMiddlewareCountsByRoutePattern(t *testing.T) {
	m := prommetrics.New()
	e := newRouter(m)
	requests := []struct{ method, path string }{
		{"GET", "/v1/auth/tokens/tok_secretish_1"},
		{"GET", "/v1/auth/tokens/tok_secretish_2"},
		{"POST", "/v1/auth/login"},
		{"GET", "/v1/auth/login"},          // known route, wrong method: 405
		{"GET", "/home/alice/127.0.0.1"},   // no route: 404
		{"BREW", "/v1/auth/tokens/coffee"}, // a method of the client's own invention
	}
	for _, r := range requests {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.path, nil))
	}
	g := m.Gatherer()
	req := func(route, method, status string) map[string]string {
		return map[string]string{"route": route, "method": method, "status": status}
	}
	expect(t, g, "gatehouse_http_requests_total", req("/v1/auth/tokens/:id", "GET", "204"), 2)
	expect(t, g, "gatehouse_http_requests_total", req("/v1/auth/login", "POST", "401"), 1)
	expect(t, g, "gatehouse_http_requests_total", req("unmatched", "GET", "405"), 1)
	expect(t, g, "gatehouse_http_requests_total", req("unmatched", "GET", "404"), 1)
	expect(t, g, "gatehouse_http_requests_total", req("unmatched", "other", "405"), 1)
	expect(t, g, "gatehouse_http_request_duration_seconds", map[string]string{"route": "/v1/auth/tokens/:id", "method": "GET"}, 2)

	for _, v := range labelValues(t, g) {
		for _, private := range []string{"secretish", "alice", "127.0.0.1", "BREW", "coffee"} {
			if strings.Contains(v, private) {
				t.Errorf("label value %q holds %q from the request", v, private)
			}
		}
	}
}

// TestHandlerServesTheRegistry: the scrape has Gatehouse's series, the Go runtime's and the
// process's, and nothing registered on Prometheus's global registry.
func TestHandlerServesTheRegistry(t *testing.T) {
	m := prommetrics.New()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	body, _ := io.ReadAll(rec.Body)
	var names []string
	for _, line := range strings.Split(string(body), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			names = append(names, strings.Fields(name)[0])
		}
	}
	// Series with known labels read 0 before their first event.
	for _, want := range []string{"gatehouse_auth_attempts_total", "gatehouse_logins_total",
		"gatehouse_signups_total", "gatehouse_password_hash_upgrades_total", "go_goroutines", "process_resident_memory_bytes",
		"promhttp_metric_handler_errors_total"} {
		if !slices.Contains(names, want) {
			t.Errorf("scrape has no %s; it has %v", want, names)
		}
	}
}
