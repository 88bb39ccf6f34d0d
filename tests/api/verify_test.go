package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestForwardAuthVerify covers GET /v1/auth/verify as a proxy calls it; tests/proxy runs it
// behind a real nginx.
func TestForwardAuthVerify(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "proxied", "harbour-Lantern-5190")
	sess, tok := s.login(t, a), s.token(t, a)
	sessionCookie := func(r *request) { cookie("sessionid", sess.cookie)(r); cookie("csrftoken", sess.csrf)(r) }
	csrf := header("X-CSRFToken", sess.csrf)
	original := func(m string) opt { return header("X-Original-Method", m) }
	id := fmt.Sprint(int64(a.id))

	for _, tc := range []struct {
		name   string
		verb   string
		opts   []opt
		status int
		method string // X-Gatehouse-Auth-Method on a 200
	}{
		{"token", "GET", []opt{withToken(tok.secret), original("POST")}, 200, "token"},
		{"Basic", "GET", []opt{withBasic(a.username, a.password), original("GET")}, 200, "basic"},
		{"session, original GET", "GET", []opt{sessionCookie, original("GET")}, 200, "session"},
		{"session, Traefik's header", "GET", []opt{sessionCookie, header("X-Forwarded-Method", "HEAD")}, 200, "session"},
		{"session, original POST with the CSRF token", "GET", []opt{sessionCookie, csrf, original("POST")}, 200, "session"},
		{"session, original POST without the CSRF token", "GET", []opt{sessionCookie, original("POST")}, 403, ""},
		{"session, no original method: unsafe", "GET", []opt{sessionCookie}, 403, ""},
		{"session, no original method, CSRF token", "GET", []opt{sessionCookie, csrf}, 200, "session"},
		{"HEAD", "HEAD", []opt{withToken(tok.secret), original("GET")}, 200, "token"},
		{"method header not a token", "GET", []opt{withToken(tok.secret), original("GET /")}, 400, ""},
		{"method headers disagree", "GET", []opt{sessionCookie, original("POST"), header("X-Forwarded-Method", "GET")}, 400, ""},
		{"no credentials", "GET", []opt{original("GET")}, 401, ""},
		{"forged user headers alone", "GET", []opt{header("X-Gatehouse-User-Id", id)}, 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, tc.verb, "/v1/auth/verify", tc.opts...).expect(t, tc.status)
			if tc.status != http.StatusOK {
				if v := r.header.Get("X-Gatehouse-User-Id"); v != "" {
					t.Errorf("a refusal carries X-Gatehouse-User-Id %q", v)
				}
				return
			}
			for name, want := range map[string]string{
				"X-Gatehouse-User-Id": id, "X-Gatehouse-Username": a.username, "X-Gatehouse-Auth-Method": tc.method,
			} {
				if got := r.header.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if len(r.body) != 0 {
				t.Errorf("body %q, want none", r.body)
			}
		})
	}

	t.Run("a username beyond ASCII is percent-encoded", func(t *testing.T) {
		b := s.signup(t, "zoë", "harbour-Lantern-5190")
		r := s.do(t, "GET", "/v1/auth/verify", withBasic(b.username, b.password), original("GET")).expect(t, http.StatusOK)
		if got, want := r.header.Get("X-Gatehouse-Username"), strings.Replace(b.username, "ë", "%C3%AB", 1); got != want {
			t.Errorf("X-Gatehouse-Username = %q, want %q", got, want)
		}
	})

	t.Run("401 carries every challenge in one field", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/auth/verify").expect(t, http.StatusUnauthorized)
		if got := r.header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != `Token realm="gatehouse", Basic realm="gatehouse"` {
			t.Errorf("WWW-Authenticate = %q", got)
		}
	})

	t.Run("a stale session is refused and its cookie cleared", func(t *testing.T) {
		s.do(t, "POST", "/v1/auth/logout", withSession(sess)).expect(t, http.StatusNoContent)
		r := s.do(t, "GET", "/v1/auth/verify", sessionCookie, original("GET")).expect(t, http.StatusUnauthorized)
		if !r.clearsCookie("sessionid") {
			t.Errorf("sessionid not cleared: %q", r.header.Values("Set-Cookie"))
		}
		if strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), sess.cookie) {
			t.Error("the response names the session secret")
		}
	})
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	doc := s.do(t, "GET", "/openapi.json").expect(t, http.StatusOK).object(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
}
