package api_test

import (
	"net/http"
	"strconv"
	"testing"
)

// throttled checks a 429 with a sane Retry-After.
func throttled(t *testing.T, r *response) {
	t.Helper()
	r.expect(t, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After = %q, want 1..60 seconds", r.header.Get("Retry-After"))
	}
}

func TestFailedLoginsAreThrottled(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{
		"GATEHOUSE_THROTTLE_LOGIN_USER": "3/min",
		"GATEHOUSE_TRUSTED_PROXIES":     "127.0.0.1",
	})
	a := s.signup(t, "brute", "granite-Harbor-4471")
	b := s.signup(t, "bystander", "meadow-Copper-9152")
	from := func(ip string) opt { return header("X-Forwarded-For", ip) }
	login := func(u account, pw, ip string) *response {
		return s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": u.username, "password": pw}), from(ip))
	}

	for i := range 3 {
		login(a, "wrong-Guess-000"+strconv.Itoa(i), "203.0.113.7").expect(t, http.StatusUnauthorized)
	}
	t.Run("over the limit even the right password gets 429", func(t *testing.T) {
		throttled(t, login(a, a.password, "203.0.113.7"))
	})
	t.Run("Basic and session logins share the limit", func(t *testing.T) {
		throttled(t, s.do(t, "GET", "/v1/auth/me", withBasic(a.username, a.password), from("203.0.113.7")))
		throttled(t, s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{
			"username": a.username, "password": a.password}), from("203.0.113.7")))
	})
	t.Run("the same user from another address is not held back", func(t *testing.T) {
		login(a, a.password, "198.51.100.9").expect(t, http.StatusOK)
	})
	t.Run("a success elsewhere does not reset the limited address", func(t *testing.T) {
		throttled(t, login(a, a.password, "203.0.113.7"))
	})
	t.Run("another user from the limited address is not held back", func(t *testing.T) {
		login(b, b.password, "203.0.113.7").expect(t, http.StatusOK)
	})
}

// TestForwardedForIsIgnoredFromUntrustedPeers: with no trusted proxy, a client cannot dodge
// the limit by naming another address.
func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_THROTTLE_LOGIN_USER": "2/min"})
	a := s.signup(t, "spoofer", "willow-Basalt-6630")
	for i := range 3 {
		r := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": a.username, "password": "wrong-Guess-111"}),
			header("X-Forwarded-For", "192.0.2."+strconv.Itoa(i+1)))
		if i < 2 {
			r.expect(t, http.StatusUnauthorized)
		} else {
			throttled(t, r)
		}
	}
}

// TestOnlyTheChosenClientIPHeaderCounts: behind a proxy that sets only X-Real-IP, the
// client's own X-Forwarded-For reaches the server untouched; it must not name the client.
func TestOnlyTheChosenClientIPHeaderCounts(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{
		"GATEHOUSE_THROTTLE_LOGIN_USER": "2/min",
		"GATEHOUSE_TRUSTED_PROXIES":     "127.0.0.1",
		"GATEHOUSE_CLIENT_IP_HEADER":    "x-real-ip",
	})
	a := s.signup(t, "realip", "thistle-Cobalt-5127")
	login := func(pw string, opts ...opt) *response {
		return s.do(t, "POST", "/v1/auth/token", append(opts, jsonBody(map[string]string{"username": a.username, "password": pw}))...)
	}
	for i := range 3 {
		r := login("wrong-Guess-222", header("X-Real-IP", "203.0.113.7"),
			header("X-Forwarded-For", "192.0.2."+strconv.Itoa(i+1)), header("Forwarded", "for=192.0.2."+strconv.Itoa(i+1)))
		if i < 2 {
			r.expect(t, http.StatusUnauthorized)
		} else {
			throttled(t, r)
		}
	}
	t.Run("another X-Real-IP is another client", func(t *testing.T) {
		login(a.password, header("X-Real-IP", "198.51.100.9")).expect(t, http.StatusOK)
	})
	t.Run("without X-Real-IP the proxy is the client", func(t *testing.T) {
		login(a.password, header("X-Forwarded-For", "203.0.113.7")).expect(t, http.StatusOK)
	})
}

func TestSignupsAreThrottledPerAddress(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_THROTTLE_SIGNUP_IP": "2/hour"})
	s.signup(t, "first", "orchard-Velvet-1180")
	s.signup(t, "second", "orchard-Velvet-1181")
	r := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{"username": s.name("third"), "password": "orchard-Velvet-1182"}))
	r.expect(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

// TestCrossSiteLoginIsRefused: login CSRF. A cross-site form post must not log the victim's
// browser into someone's account; the server's own origin and trusted origins may.
func TestCrossSiteLoginIsRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_TRUSTED_ORIGINS": "https://app.example.com"})
	a := s.signup(t, "origin", "harvest-Pebble-3312")
	body := jsonBody(map[string]string{"username": a.username, "password": a.password})
	r := s.do(t, "POST", "/v1/auth/login", body, header("Origin", "https://evil.example"))
	r.expect(t, http.StatusForbidden)
	if d := r.problem(t).Detail; len(d) < 11 || d[:11] != "CSRF Failed" {
		t.Errorf("detail = %q, want it to start with CSRF Failed", d)
	}
	if r.cookie("sessionid") != nil {
		t.Error("a refused login set a session cookie")
	}
	s.do(t, "POST", "/v1/auth/login", body, header("Origin", "null")).expect(t, http.StatusForbidden)
	s.do(t, "POST", "/v1/auth/login", body, header("Origin", "https://app.example.com")).expect(t, http.StatusOK)
	s.do(t, "POST", "/v1/auth/login", body, header("Origin", s.base)).expect(t, http.StatusOK)
	s.do(t, "POST", "/v1/auth/login", body).expect(t, http.StatusOK)
}
