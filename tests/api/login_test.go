package api_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
)

// checkSessionCookies checks the two cookies a login sets: sessionid hidden from scripts,
// csrftoken readable by them, both Lax and site-wide, Secure as configured.
func checkSessionCookies(t testing.TB, r *response, secure bool) {
	t.Helper()
	for _, want := range []struct {
		name     string
		httpOnly bool
	}{{"sessionid", true}, {"csrftoken", false}} {
		c := r.cookie(want.name)
		if c == nil || c.Value == "" {
			t.Errorf("no %s cookie in %q", want.name, r.header.Values("Set-Cookie"))
			continue
		}
		if c.HttpOnly != want.httpOnly || c.Secure != secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("%s cookie %q: want HttpOnly=%v Secure=%v SameSite=Lax Path=/", want.name, c.String(), want.httpOnly, secure)
		}
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "browser", "gravel-Meadow-5120")

	for _, tc := range []struct {
		name string
		body opt
	}{
		{"JSON login answers 200 with the user, its CSRF token and session cookies",
			jsonBody(map[string]string{"username": a.username, "password": a.password})},
		{"form login answers 200 with the user, its CSRF token and session cookies",
			formBody(url.Values{"username": {a.username}, "password": {a.password}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, "POST", "/v1/auth/login", tc.body).expect(t, http.StatusOK)
			u := r.object(t)
			if got, want := keys(u), "csrf_token,"+userKeys; got != want {
				t.Errorf("keys = %s, want %s", got, want)
			}
			// A page on another origin cannot read the csrftoken cookie (GATEHOUSE_CORS_ORIGINS).
			if c := r.cookie("csrftoken"); c == nil || u["csrf_token"] != c.Value {
				t.Errorf("csrf_token = %v, want the csrftoken cookie's value %v", u["csrf_token"], c)
			}
			if u["username"] != a.username || u["id"] != a.id {
				t.Errorf("user = %v, want %s with id %v", u, a.username, a.id)
			}
			checkSessionCookies(t, r, false)
		})
	}

	t.Run("every login gets a new session id", func(t *testing.T) {
		first := s.login(t, a)
		second := s.login(t, a)
		if first.cookie == second.cookie || first.csrf == second.csrf {
			t.Errorf("two logins share a session cookie or CSRF token")
		}
		if s.sessionID(t, first) == s.sessionID(t, second) {
			t.Errorf("two logins share a session id")
		}
	})

	t.Run("bad password and unknown user get the same 401", func(t *testing.T) {
		wrong := s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{
			"username": a.username, "password": "not-the-Password-77",
		})).expect(t, http.StatusUnauthorized)
		unknown := s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{
			"username": "nobody-here", "password": "not-the-Password-77",
		})).expect(t, http.StatusUnauthorized)
		if d := wrong.problem(t).Detail; d != "Invalid username or password." {
			t.Errorf("detail = %q, want %q", d, "Invalid username or password.")
		}
		if !bytes.Equal(wrong.body, unknown.body) {
			t.Errorf("bodies differ:\nwrong password: %s\nunknown user:   %s", wrong.body, unknown.body)
		}
		if wrong.cookie("sessionid") != nil || unknown.cookie("sessionid") != nil {
			t.Errorf("a failed login set a session cookie")
		}
	})
}

func TestLoginCookiesAreSecureByDefault(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_COOKIE_SECURE": ""})
	a := s.signup(t, "tls-only", "harbor-Signal-7788")
	r := s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{
		"username": a.username, "password": a.password,
	})).expect(t, http.StatusOK)
	checkSessionCookies(t, r, true)
}
