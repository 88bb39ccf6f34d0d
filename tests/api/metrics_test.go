package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metrics is one scrape of /metrics, by family name.
type metrics map[string]*dto.MetricFamily

// scrape reads base/metrics in the Prometheus text format.
func (s *server) scrape(t testing.TB, base string) metrics {
	t.Helper()
	res, err := s.http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("GET %s/metrics: %v", base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s/metrics: status %d: %s", base, res.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parsing %s/metrics: %v", base, err)
	}
	return fams
}

// sum adds up the series of family name whose labels include want: counter and gauge values,
// histogram observation counts.
func (m metrics) sum(name string, want map[string]string) float64 {
	f := m[name]
	if f == nil {
		return 0
	}
	var total float64
	for _, metric := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range metric.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if labels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case metric.Counter != nil:
			total += metric.Counter.GetValue()
		case metric.Gauge != nil:
			total += metric.Gauge.GetValue()
		case metric.Histogram != nil:
			total += float64(metric.Histogram.GetSampleCount())
		}
	}
	return total
}

// labelValues returns every label value in the scrape.
func (m metrics) labelValues() []string {
	var out []string
	for _, f := range m {
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				out = append(out, l.GetValue())
			}
		}
	}
	return out
}

// TestMetricsMoveWithTraffic scrapes /metrics around a signup, a session login, a failed
// login, a token request and a token-authenticated request, and checks that each moved the
// series that count it by exactly its share.
func TestMetricsMoveWithTraffic(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	before := s.scrape(t, s.base)

	a := s.signup(t, "gauged", "amber-Orchard-7731")
	s.login(t, a)
	s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{"username": a.username, "password": "wrong-Guess-5521"})).
		expect(t, http.StatusUnauthorized)
	tok := s.token(t, a)
	s.me(t, withToken(tok.secret))
	s.do(t, "GET", "/v1/auth/me").expect(t, http.StatusUnauthorized)

	after := s.scrape(t, s.base)
	tests := []struct {
		name   string
		labels map[string]string
		delta  float64
	}{
		{"gatehouse_signups_total", nil, 1},
		{"gatehouse_logins_total", map[string]string{"method": "session", "outcome": "ok"}, 1},
		{"gatehouse_logins_total", map[string]string{"method": "session", "outcome": "failed"}, 1},
		{"gatehouse_logins_total", map[string]string{"method": "token", "outcome": "ok"}, 1},
		{"gatehouse_auth_attempts_total", map[string]string{"method": "token", "outcome": "ok"}, 1},
		{"gatehouse_auth_attempts_total", map[string]string{"method": "none", "outcome": "absent"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "/v1/auth/login", "method": "POST", "status": "200"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "/v1/auth/login", "method": "POST", "status": "401"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "/v1/auth/token", "method": "POST", "status": "200"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "/v1/auth/me", "method": "GET", "status": "401"}, 1},
		{"gatehouse_http_request_duration_seconds", map[string]string{"route": "/v1/auth/login", "method": "POST"}, 2},
		// signup (taken check), login, failed login, token request: one lookup by name each.
		{"gatehouse_store_call_duration_seconds", map[string]string{"port": "users", "op": "by_username"}, 4},
		{"gatehouse_store_call_duration_seconds", map[string]string{"port": "tokens", "op": "by_hash"}, 1},
		{"gatehouse_store_call_duration_seconds", map[string]string{"port": "sessions", "op": "create"}, 1},
		// signup's hash, and a verify for each of the three password checks.
		{"gatehouse_password_hash_wait_seconds", map[string]string{"outcome": "ok"}, 4},
		{"gatehouse_store_errors_total", nil, 0},
	}
	for _, tt := range tests {
		if d := after.sum(tt.name, tt.labels) - before.sum(tt.name, tt.labels); d != tt.delta {
			t.Errorf("%s%v moved by %v, want %v", tt.name, tt.labels, d, tt.delta)
		}
	}
	if after["gatehouse_password_hash_queue_depth"] == nil || after["go_goroutines"] == nil ||
		after["process_resident_memory_bytes"] == nil {
		t.Error("scrape lacks the hashing queue gauge, the Go collector or the process collector")
	}
}

// TestMetricsLabelsHoldNoPersonalData: after logins of every kind, good and bad, no label
// value of any series holds the username, a password, a secret or the client's address.
func TestMetricsLabelsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "Zebediah-Quill", "lunar-Basalt-6604")
	sess := s.login(t, a)
	tok := s.token(t, a)
	s.me(t, withToken(tok.secret))
	s.me(t, withSession(sess))
	s.me(t, withBasic(a.username, a.password))
	s.do(t, "GET", "/v1/auth/me", withBasic(a.username, "wrong-Guess-3318")).expect(t, http.StatusUnauthorized)
	s.do(t, "GET", "/v1/auth/me", withToken(tok.secret+"x")).expect(t, http.StatusUnauthorized)
	s.do(t, "GET", "/v1/auth/tokens/"+tok.id, withToken(tok.secret)).expect(t, http.StatusMethodNotAllowed)
	s.do(t, "GET", "/"+url.PathEscape(a.username)+"/127.0.0.1").expect(t, http.StatusNotFound)
	s.do(t, "FROB", "/v1/auth/me").expect(t, http.StatusMethodNotAllowed)

	host, _, _ := strings.Cut(strings.TrimPrefix(s.base, "http://"), ":")
	private := []string{strings.ToLower(a.username), a.password, tok.secret, tok.id, sess.cookie, sess.csrf, host, "zebediah", "FROB"}
	values := s.scrape(t, s.base).labelValues()
	if len(values) == 0 {
		t.Fatal("scrape has no labels at all")
	}
	for _, v := range values {
		for _, p := range private {
			if strings.Contains(strings.ToLower(v), strings.ToLower(p)) {
				t.Errorf("label value %q holds %q", v, p)
			}
		}
	}
}

// TestMetricsOnAdminListener: with GATEHOUSE_ADMIN_ADDR, /metrics and the profiler are served
// there and only there; the API stays on the main listener.
func TestMetricsOnAdminListener(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_ADMIN_ADDR": "127.0.0.1:0"})
	admin := adminBase(t, s)
	if admin == s.base {
		t.Fatalf("admin listener on the main address %s", admin)
	}
	s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{"username": "nobody." + s.tag, "password": "pale-Harbour-2290"})).
		expect(t, http.StatusUnauthorized)
	if n := s.scrape(t, admin).sum("gatehouse_http_requests_total", map[string]string{"route": "/v1/auth/login", "status": "401"}); n != 1 {
		t.Errorf("admin scrape counts %v failed logins on the main listener, want 1", n)
	}
	tests := []struct {
		base, path string
		status     int
	}{
		{s.base, "/metrics", http.StatusNotFound},
		{s.base, "/debug/pprof/", http.StatusNotFound},
		{s.base, "/debug/pprof/cmdline", http.StatusNotFound},
		{admin, "/debug/pprof/", http.StatusOK},
		{admin, "/debug/pprof/goroutine?debug=1", http.StatusOK},
		{admin, "/debug/pprof/cmdline", http.StatusNotFound}, // flags can hold a DSN or password
		{admin, "/v1/auth/me", http.StatusNotFound},
		{admin, "/healthz", http.StatusNotFound},
	}
	for _, tt := range tests {
		res, err := s.http.Get(tt.base + tt.path)
		if err != nil {
			t.Fatalf("GET %s%s: %v", tt.base, tt.path, err)
		}
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("GET %s%s: status %d, want %d", tt.base, tt.path, res.StatusCode, tt.status)
		}
	}
}

// adminBase returns the admin listener's URL from its log line, which the server writes
// before "listening".
func adminBase(t testing.TB, s *server) string {
	t.Helper()
	for _, line := range strings.Split(s.proc.Stdout(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "admin listening" {
			return "http://" + rec.Addr
		}
	}
	t.Fatalf("no \"admin listening\" log line:\n%s", s.proc.Stdout())
	return ""
}
