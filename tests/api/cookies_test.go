package api_test

import (
	"net/http"
	"testing"
)

// TestBoundSessions: with GATEHOUSE_SESSION_BIND=ip,ua a session cookie used from another
// address or browser gets 401, the cookie is cleared, and the session is gone for the
// client that logged in too.
func TestBoundSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_SESSION_BIND": "ip,ua", "GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1"})
	a := s.signup(t, "bound", "lagoon-Cinder-2247")
	client := func(ip, agent string) []opt {
		return []opt{header("X-Forwarded-For", ip), header("User-Agent", agent)}
	}
	for _, tt := range []struct {
		name  string
		other []opt
	}{
		{"another address", client("198.51.100.4", "Firefox/140")},
		{"another browser", client("192.0.2.10", "curl/8")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			home := client("192.0.2.10", "Firefox/140")
			sess := s.login(t, a, home...)
			s.me(t, append(home, withSession(sess))...)
			r := s.do(t, "GET", "/v1/auth/me", append(tt.other, withSession(sess))...).expect(t, http.StatusUnauthorized)
			if !r.clearsCookie("sessionid") {
				t.Error("the refused session's cookie was not cleared")
			}
			s.do(t, "GET", "/v1/auth/me", append(home, withSession(sess))...).expect(t, http.StatusUnauthorized)
		})
	}
}

// TestHostPrefixedCookies: with GATEHOUSE_COOKIE_HOST_PREFIX the cookies are named
// __Host-sessionid and __Host-csrftoken, Secure, Path=/ and without Domain.
func TestHostPrefixedCookies(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_COOKIE_HOST_PREFIX": "true", "GATEHOUSE_COOKIE_SECURE": "true"})
	a := s.signup(t, "hosted", "prairie-Quill-6083")
	r := s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{"username": a.username, "password": a.password})).
		expect(t, http.StatusOK)
	sid, csrf := r.cookie("__Host-sessionid"), r.cookie("__Host-csrftoken")
	if sid == nil || csrf == nil {
		t.Fatalf("Set-Cookie = %q, want __Host- cookies", r.header.Values("Set-Cookie"))
	}
	for _, ck := range []*http.Cookie{sid, csrf} {
		if !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("%s: Secure=%v Path=%q Domain=%q, want Secure, / and no Domain", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	}
	s.do(t, "POST", "/v1/auth/logout", cookie("__Host-sessionid", sid.Value), cookie("__Host-csrftoken", csrf.Value),
		header("X-CSRFToken", csrf.Value)).expect(t, http.StatusNoContent)
	// An unprefixed cookie, as a sibling subdomain could plant, is not the session cookie.
	s.do(t, "GET", "/v1/auth/me", withSessionCookie(sid.Value)).expect(t, http.StatusUnauthorized)
}
