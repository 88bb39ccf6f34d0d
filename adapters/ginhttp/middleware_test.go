package ginhttp

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// accessLine is the part of an access log line the tests read.
type accessLine struct {
	Msg       string
	RequestID string `json:"request_id"`
	Route     string
	Status    int
	ClientIP  string `json:"client_ip"`
}

func accessLines(t *testing.T, log string) []accessLine {
	t.Helper()
	var out []accessLine
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var l accessLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if l.Msg == "request" {
			out = append(out, l)
		}
	}
	return out
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestRequestIDIsEchoedAndLogged: a sane X-Request-ID is kept, anything else is replaced by
// a generated id; either way the response carries it and the access log line names it.
func TestRequestIDIsEchoedAndLogged(t *testing.T) {
	tests := []struct {
		name, given string
		keep        bool
	}{
		{"sane", "req-42_a.b", true},
		{"absent", "", false},
		{"too long", strings.Repeat("x", 65), false},
		{"log injection", "a\",\"status\":200", false},
		{"non-ASCII", "réq", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour},
				slog.New(slog.NewJSONHandler(&log, nil)))
			req := httptest.NewRequest("GET", "/healthz", nil)
			if tt.given != "" {
				req.Header.Set("X-Request-ID", tt.given)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			got := rec.Header().Get("X-Request-ID")
			switch {
			case tt.keep && got != tt.given:
				t.Errorf("X-Request-ID %q answered with %q, want it kept", tt.given, got)
			case !tt.keep && !generatedID.MatchString(got):
				t.Errorf("X-Request-ID %q answered with %q, want a generated id", tt.given, got)
			}
			lines := accessLines(t, log.String())
			if len(lines) != 1 || lines[0].RequestID != got || lines[0].Route != "/healthz" || lines[0].Status != 200 {
				t.Errorf("access log %+v, want one line for /healthz with request id %q", lines, got)
			}
		})
	}
}

// TestAccessLogNamesTheClient: the client is the socket's peer unless that peer is a trusted
// proxy, whose configured header (one only) then names it; the answer reaches the log and the
// handlers.
func TestAccessLogNamesTheClient(t *testing.T) {
	tests := []struct {
		name     string
		proxies  []string
		ipHeader string
		remote   string
		headers  map[string]string
		want     string
	}{
		{"no proxy", nil, "", "192.0.2.7:5555", nil, "192.0.2.7"},
		{"no proxy, IPv6", nil, "", "[2001:db8::7]:5555", nil, "2001:db8::7"},
		{"no proxy, zoned peer", nil, "", "[fe80::7%eth0]:5555", nil, "fe80::7"},
		{"untrusted zoned peer", []string{"10.0.0.0/8"}, "", "[fe80::7%eth0]:5555", nil, "fe80::7"},
		{"forged forwarding ignored", nil, "", "192.0.2.7:5555", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "192.0.2.7"},
		{"untrusted peer's forwarding ignored", []string{"10.0.0.0/8"}, "", "192.0.2.7:5555", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "192.0.2.7"},
		{"trusted proxy names the client", []string{"10.0.0.0/8"}, "", "10.1.2.3:5555", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"forged left part loses", []string{"10.0.0.0/8"}, "", "10.1.2.3:5555", map[string]string{"X-Forwarded-For": "6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"X-Real-IP ignored by default", []string{"10.0.0.0/8"}, "", "10.1.2.3:5555", map[string]string{"X-Real-IP": "6.6.6.6"}, "10.1.2.3"},
		{"chosen X-Real-IP names the client", []string{"10.0.0.0/8"}, "x-real-ip", "10.1.2.3:5555",
			map[string]string{"X-Real-IP": "198.51.100.1", "X-Forwarded-For": "6.6.6.6"}, "198.51.100.1"},
		{"X-Forwarded-For ignored when X-Real-IP is chosen", []string{"10.0.0.0/8"}, "X-Real-IP", "10.1.2.3:5555",
			map[string]string{"X-Forwarded-For": "6.6.6.6"}, "10.1.2.3"},
		{"chosen Forwarded names the client", []string{"10.0.0.0/8"}, "Forwarded", "10.1.2.3:5555",
			map[string]string{"Forwarded": `for="[2001:db8::1]:4711"`, "X-Forwarded-For": "6.6.6.6"}, "2001:db8::1"},
		{"mapped trusted peer", []string{"10.0.0.0/8"}, "", "[::ffff:10.1.2.3]:5555", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"mapped untrusted peer is unmapped", []string{"10.0.0.0/8"}, "", "[::ffff:192.0.2.7]:5555", nil, "192.0.2.7"},
		{"peer that is no IP socket", []string{"10.0.0.0/8"}, "", "pipe", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			var seen string
			record := func(c *gin.Context) { seen = domain.RequestFrom(c.Request.Context()).ClientIP }
			s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, TrustedProxies: tt.proxies,
				ClientIPHeader: tt.ipHeader, Middleware: []gin.HandlerFunc{record}},
				slog.New(slog.NewJSONHandler(&log, nil)))
			req := httptest.NewRequest("GET", "/healthz", nil)
			req.RemoteAddr = tt.remote
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			s.ServeHTTP(httptest.NewRecorder(), req)
			if lines := accessLines(t, log.String()); len(lines) != 1 || lines[0].ClientIP != tt.want {
				t.Errorf("access log %+v, want one line with client_ip %q", lines, tt.want)
			}
			if seen != tt.want {
				t.Errorf("handlers see client %q, want %q", seen, tt.want)
			}
		})
	}
}

// TestClientIPCostsNoAllocationForThePeer: when the peer is the client, trusted proxies or
// not, working it out allocates nothing.
func TestClientIPCostsNoAllocationForThePeer(t *testing.T) {
	for _, proxies := range [][]string{nil, {"10.0.0.0/8"}} {
		s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, TrustedProxies: proxies}, slog.New(slog.DiscardHandler))
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = "192.0.2.7:5555"
		req.Header.Set("X-Forwarded-For", "198.51.100.1")
		if n := testing.AllocsPerRun(100, func() { s.resolveClientIP(req) }); n != 0 {
			t.Errorf("proxies %v: %v allocations, want 0", proxies, n)
		}
	}
}

// TestExtraMiddlewareSeesFinalStatus: middleware from Config runs for routed, unrouted and
// panicking requests, and sees the status that was sent.
func TestExtraMiddlewareSeesFinalStatus(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	record := func(c *gin.Context) {
		c.Next()
		mu.Lock()
		defer mu.Unlock()
		seen[c.Request.URL.Path] = c.Writer.Status()
	}
	s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour,
		Middleware: []gin.HandlerFunc{record}}, slog.New(slog.DiscardHandler))
	s.engine.GET("/panic", func(*gin.Context) { panic("kaboom") })
	for _, path := range []string{"/healthz", "/nowhere", "/panic"} {
		do(s, "GET", path)
	}
	want := map[string]int{"/healthz": 200, "/nowhere": 404, "/panic": 500}
	for path, status := range want {
		if seen[path] != status {
			t.Errorf("middleware saw %s answered %d, want %d", path, seen[path], status)
		}
	}
}

// TestMetricsRoute: GET /metrics is served only when the configuration hands a handler in.
func TestMetricsRoute(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("gatehouse_up 1\n"))
	})
	with := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{Metrics: metrics}, slog.New(slog.DiscardHandler))
	if rec := do(with, "GET", "/metrics"); rec.Code != 200 || rec.Body.String() != "gatehouse_up 1\n" {
		t.Errorf("GET /metrics with a handler: %d %q", rec.Code, rec.Body.String())
	}
	without := newTestServer(fakeAuth{}, nil)
	if rec := do(without, "GET", "/metrics"); rec.Code != 404 {
		t.Errorf("GET /metrics without a handler: %d, want 404", rec.Code)
	}
}

// TestObserverAndLogSeeFinalStatus: with no Config.Middleware the one frame handler does
// every job: the observer and the access log see the status sent, for routed, unrouted,
// refused and panicking requests alike, and every answer carries the private headers.
func TestObserverAndLogSeeFinalStatus(t *testing.T) {
	tests := []struct {
		method, path string
		body         string
		route        string
		status       int
	}{
		{"GET", "/healthz", "", "/healthz", 200},
		{"GET", "/nowhere", "", "unmatched", 404},
		{"DELETE", "/healthz", "", "unmatched", 405},
		{"GET", "/panic", "", "/panic", 500},
		{"POST", "/v1/auth/login", strings.Repeat("x", MaxBodyBytes+1), "/v1/auth/login", 413},
	}
	for _, direct := range []bool{false, true} {
		var mu sync.Mutex
		type seen struct {
			route, method string
			status        int
		}
		var observed []seen
		var log syncBuffer
		w := NewSyncWriter(&log)
		cfg := Config{SessionCookieMaxAge: time.Hour, ObserveRequest: func(route, method string, status int, elapsed time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if elapsed < 0 {
				t.Errorf("%s %s observed in %v", method, route, elapsed)
			}
			observed = append(observed, seen{route, method, status})
		}}
		if direct {
			cfg.AccessLog = NewAccessLog(w, false)
		}
		s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, cfg, slog.New(slog.NewJSONHandler(w, nil)))
		s.engine.GET("/panic", func(*gin.Context) { panic("kaboom") })
		for _, tt := range tests {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			if rec.Code != tt.status || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("direct %v, %s %s: %d %v, want %d with the private headers", direct, tt.method, tt.path, rec.Code, rec.Header(), tt.status)
			}
		}
		w.Close()
		lines := accessLines(t, log.String())
		if len(observed) != len(tests) || len(lines) != len(tests) {
			t.Fatalf("direct %v: observed %v, logged %v; want %d of each", direct, observed, lines, len(tests))
		}
		for i, tt := range tests {
			if want := (seen{tt.route, tt.method, tt.status}); observed[i] != want {
				t.Errorf("direct %v: observed %+v, want %+v", direct, observed[i], want)
			}
			if lines[i].Route != tt.route || lines[i].Status != tt.status {
				t.Errorf("direct %v: logged %+v, want route %q status %d", direct, lines[i], tt.route, tt.status)
			}
		}
	}
}
