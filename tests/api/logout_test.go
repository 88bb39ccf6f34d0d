package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestLogout(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "leaver", "copper-Kettle-3391")

	t.Run("session logout without the CSRF token is 403", func(t *testing.T) {
		sess := s.login(t, a)
		for _, tc := range []struct {
			name string
			opts []opt
		}{
			{"missing", []opt{withSessionCookie(sess.cookie), cookie("csrftoken", sess.csrf)}},
			{"wrong", []opt{withSessionCookie(sess.cookie), header("X-CSRFToken", strings.Repeat("A", len(sess.csrf)))}},
		} {
			r := s.do(t, "POST", "/v1/auth/logout", tc.opts...).expect(t, http.StatusForbidden)
			if d := r.problem(t).Detail; !strings.HasPrefix(d, "CSRF Failed") {
				t.Errorf("%s token: detail = %q, want it to start with CSRF Failed", tc.name, d)
			}
		}
		s.me(t, withSession(sess)) // still logged in
	})

	t.Run("session logout answers 204, clears the cookies and ends the session", func(t *testing.T) {
		sess := s.login(t, a)
		r := s.do(t, "POST", "/v1/auth/logout", withSession(sess)).expect(t, http.StatusNoContent)
		if !r.clearsCookie("sessionid") || !r.clearsCookie("csrftoken") {
			t.Errorf("logout did not clear both cookies: %q", r.header.Values("Set-Cookie"))
		}
		after := s.do(t, "GET", "/v1/auth/me", withSessionCookie(sess.cookie)).expect(t, http.StatusUnauthorized)
		if !after.clearsCookie("sessionid") {
			t.Errorf("the ended session's cookie was not cleared: %q", after.header.Values("Set-Cookie"))
		}
	})

	t.Run("token logout answers 204 and revokes the token", func(t *testing.T) {
		tok := s.token(t, a)
		s.do(t, "POST", "/v1/auth/logout", withToken(tok.secret)).expect(t, http.StatusNoContent)
		r := s.do(t, "GET", "/v1/auth/me", withToken(tok.secret)).expect(t, http.StatusUnauthorized)
		if d := r.problem(t).Detail; d != "Invalid token." {
			t.Errorf("detail = %q, want %q", d, "Invalid token.")
		}
	})

	t.Run("basic logout answers 204", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/auth/logout", withBasic(a.username, a.password)).expect(t, http.StatusNoContent)
		if len(r.cookies) != 0 {
			t.Errorf("basic logout set cookies: %q", r.header.Values("Set-Cookie"))
		}
	})
}

func TestLogoutAll(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "everywhere", "linen-Compass-6620")
	b := s.signup(t, "bystander", "walnut-Trellis-1147")
	aSess, aTok1, aTok2 := s.login(t, a), s.token(t, a), s.token(t, a)
	bSess, bTok := s.login(t, b), s.token(t, b)

	t.Run("a cross-site form with remembered Basic credentials is refused", func(t *testing.T) {
		// A browser sends the Basic credentials its prompt remembered with any form, and
		// marks the request as cross-site.
		r := s.do(t, "POST", "/v1/auth/logout/all", withBasic(a.username, a.password),
			header("Sec-Fetch-Site", "cross-site"), header("Origin", "https://evil.example")).expect(t, http.StatusForbidden)
		if d := r.problem(t).Detail; !strings.HasPrefix(d, "CSRF Failed") {
			t.Errorf("detail = %q, want it to start with CSRF Failed", d)
		}
		s.me(t, withToken(aTok2.secret)) // nothing was revoked
	})

	t.Run("revokes every session and token of the user", func(t *testing.T) {
		s.do(t, "POST", "/v1/auth/logout/all", withToken(aTok1.secret)).expect(t, http.StatusNoContent)
		for name, o := range map[string]opt{
			"session": withSession(aSess), "calling token": withToken(aTok1.secret), "other token": withToken(aTok2.secret),
		} {
			if got := s.status(t, "GET", "/v1/auth/me", o); got != http.StatusUnauthorized {
				t.Errorf("%s after logout/all: status %d, want 401", name, got)
			}
		}
	})

	t.Run("leaves other users alone", func(t *testing.T) {
		s.me(t, withSession(bSess))
		s.me(t, withToken(bTok.secret))
	})

	t.Run("through a session clears the cookies", func(t *testing.T) {
		sess := s.login(t, a)
		r := s.do(t, "POST", "/v1/auth/logout/all", withSession(sess)).expect(t, http.StatusNoContent)
		if !r.clearsCookie("sessionid") || !r.clearsCookie("csrftoken") {
			t.Errorf("logout/all did not clear both cookies: %q", r.header.Values("Set-Cookie"))
		}
		if got := s.status(t, "GET", "/v1/auth/me", withSession(sess)); got != http.StatusUnauthorized {
			t.Errorf("session after logout/all: status %d, want 401", got)
		}
	})
}
