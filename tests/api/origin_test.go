package api_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestOriginRule: issue #14 end to end. Every path that a browser's forged cross-site request
// could reach (cookie and Basic unsafe requests, the API login) refuses a cross-site Origin
// from a browser that sends no fetch metadata, an http:// Origin when cookies are Secure,
// and, without Origin, a cross-site Referer; the server's own and trusted origins pass, and
// so do clients that are not browsers and send none of these headers.
func TestOriginRule(t *testing.T) {
	t.Parallel()
	const evil, trusted = "https://evil.example", "https://app.example.com"
	s := startServer(t, map[string]string{"GATEHOUSE_TRUSTED_ORIGINS": trusted})
	a := s.signup(t, "origin_rule", "harvest-Pebble-3312")
	login := jsonBody(map[string]string{"username": a.username, "password": a.password})
	basic := withBasic(a.username, a.password)

	refused := func(t *testing.T, r *response, why string) {
		t.Helper()
		r.expect(t, http.StatusForbidden)
		if d := r.problem(t).Detail; !strings.HasPrefix(d, "CSRF Failed: "+why) {
			t.Errorf("detail = %q, want CSRF Failed: %s…", d, why)
		}
	}
	t.Run("Basic from an old browser on another site", func(t *testing.T) {
		refused(t, s.do(t, "POST", "/v1/auth/logout/all", basic, header("Origin", evil)), "Origin checking failed")
		refused(t, s.do(t, "POST", "/v1/auth/logout/all", basic, header("Referer", evil+"/prize")), "Referer checking failed")
		s.me(t, withSession(s.login(t, a))) // nothing was revoked
	})
	t.Run("Basic from here, a trusted origin, or no browser", func(t *testing.T) {
		for _, o := range []opt{header("Origin", s.base), header("Origin", trusted), header("Sec-Fetch-Site", "same-origin"), header("X-Nothing", "curl")} {
			s.do(t, "POST", "/v1/auth/logout", basic, o).expect(t, http.StatusNoContent)
		}
	})
	t.Run("session cookie from an old browser on another site", func(t *testing.T) {
		sess := s.login(t, a)
		refused(t, s.do(t, "POST", "/v1/auth/logout", withSession(sess), header("Origin", evil)), "Origin checking failed")
		refused(t, s.do(t, "POST", "/v1/auth/logout", withSession(sess), header("Origin", evil), header("Sec-Fetch-Site", "cross-site")), "Origin checking failed")
		s.do(t, "POST", "/v1/auth/logout", withSession(sess), header("Origin", trusted), header("Sec-Fetch-Site", "cross-site")).
			expect(t, http.StatusNoContent)
	})
	t.Run("API login: Referer when there is no Origin", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/auth/login", login, header("Referer", evil+"/login"))
		refused(t, r, "Referer checking failed - "+evil+" does not match")
		if r.cookie("sessionid") != nil {
			t.Error("a refused login set a session cookie")
		}
		refused(t, s.do(t, "POST", "/v1/auth/login", login, header("Sec-Fetch-Site", "cross-site")), "Origin checking failed")
		s.do(t, "POST", "/v1/auth/login", login, header("Referer", s.base+"/app")).expect(t, http.StatusOK)
		s.do(t, "POST", "/v1/auth/login", login, header("Referer", trusted+"/")).expect(t, http.StatusOK)
		s.do(t, "POST", "/v1/auth/login", login).expect(t, http.StatusOK)
	})
	t.Run("a Token header is never judged", func(t *testing.T) {
		tok := s.token(t, a)
		s.do(t, "POST", "/v1/auth/logout", withToken(tok.secret), header("Origin", evil), header("Sec-Fetch-Site", "cross-site")).
			expect(t, http.StatusNoContent)
	})
}

// TestOriginRuleSecureCookies: with Secure cookies the site is served over HTTPS, so an
// http:// page of the same host (a network attacker's) is not our origin.
func TestOriginRuleSecureCookies(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_COOKIE_SECURE": "true"})
	a := s.signup(t, "secure_origin", "harvest-Pebble-3312")
	host := strings.TrimPrefix(s.base, "http://")
	login := jsonBody(map[string]string{"username": a.username, "password": a.password})
	for _, path := range []string{"/v1/auth/login", "/v1/auth/logout"} {
		opts := []opt{header("Origin", "http://"+host)}
		if path == "/v1/auth/logout" {
			opts = append(opts, withBasic(a.username, a.password))
		} else {
			opts = append(opts, login)
		}
		r := s.do(t, "POST", path, opts...).expect(t, http.StatusForbidden)
		if d := r.problem(t).Detail; !strings.Contains(d, "http://"+host+" does not match") {
			t.Errorf("%s: detail %q", path, d)
		}
	}
	s.do(t, "POST", "/v1/auth/login", login, header("Origin", "https://"+host)).expect(t, http.StatusOK)
	s.do(t, "POST", "/v1/auth/login", login, header("Origin", "http://"+host), header("Sec-Fetch-Site", "same-origin")).
		expect(t, http.StatusOK)
}

var hiddenToken = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([^"]+)"`)

// loginFormToken opens the login page as a browser would and returns its formcsrf nonce and
// the hidden field's token.
func (s *server) loginFormToken(t *testing.T) (nonce, token string) {
	t.Helper()
	return s.pageFormToken(t, "/login")
}

// pageFormToken is loginFormToken for the anonymous form of the page at path.
func (s *server) pageFormToken(t *testing.T, path string) (nonce, token string) {
	t.Helper()
	r, err := s.sendUnchecked("GET", path)
	if err != nil || r.status != http.StatusOK {
		t.Fatalf("GET %s: %v %v", path, r, err)
	}
	m := hiddenToken.FindSubmatch(r.body)
	c := r.cookie("formcsrf")
	if m == nil || c == nil {
		t.Fatalf("the page %s has no form token or cookie:\n%s", path, r.body)
	}
	s.secret(c.Value)
	s.secret(string(m[1]))
	return c.Value, string(m[1])
}

// postLoginForm posts the login page's form with the given cookie and field, from the
// server's own origin.
func (s *server) postLoginForm(t *testing.T, a account, nonce, token string, opts ...opt) *response {
	t.Helper()
	opts = append([]opt{formBody(url.Values{"username": {a.username}, "password": {a.password}, "csrfmiddlewaretoken": {token}}),
		header("Origin", s.base), cookie("formcsrf", nonce)}, opts...)
	r, err := s.sendUnchecked("POST", "/login", opts...)
	if err != nil {
		t.Fatal(err)
	}
	if r.status == http.StatusInternalServerError {
		t.Fatalf("POST /login: 500")
	}
	return r
}

// TestFormTokenSigned: the login form's token is the server key's signature of the cookie's
// nonce. A made-up pair (issue #14: formcsrf=a, csrfmiddlewaretoken=a) is refused; a pair
// from one instance works on another with the same GATEHOUSE_SECRET_KEY, and on one with a
// rotated list that still holds the key; the key is never logged.
func TestFormTokenSigned(t *testing.T) {
	t.Parallel()
	var k1, k2 [32]byte
	rand.Read(k1[:])
	rand.Read(k2[:])
	key1, key2 := base64.StdEncoding.EncodeToString(k1[:]), base64.StdEncoding.EncodeToString(k2[:])
	s1 := startServer(t, map[string]string{"GATEHOUSE_SECRET_KEY": key1})
	s1.secret(key1)
	a := s1.signup(t, "form_token", "harvest-Pebble-3312")

	nonce, token := s1.loginFormToken(t)
	for _, tc := range []struct{ name, nonce, token, why string }{
		{"made-up pair", "a", "a", "CSRF token incorrect."},
		{"the nonce as its own token", nonce, nonce, "CSRF token incorrect."},
		{"the token as its own nonce", token, token, "CSRF token incorrect."},
		{"the token for another nonce", strings.Repeat("A", 43), token, "CSRF token incorrect."},
		{"no cookie", "", token, "CSRF cookie not set."},
		{"no field", nonce, "", "CSRF token missing."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *response
			if tc.nonce == "" {
				r, _ = s1.sendUnchecked("POST", "/login", formBody(url.Values{"username": {a.username},
					"password": {a.password}, "csrfmiddlewaretoken": {tc.token}}), header("Origin", s1.base))
			} else {
				r = s1.postLoginForm(t, a, tc.nonce, tc.token)
			}
			if r.status != http.StatusForbidden || !strings.Contains(string(r.body), tc.why) {
				t.Fatalf("status %d, want 403 saying %q: %.400s", r.status, tc.why, r.body)
			}
			if r.cookie("sessionid") != nil {
				t.Error("a refused form set a session cookie")
			}
		})
	}
	if r := s1.postLoginForm(t, a, nonce, token); r.status != http.StatusSeeOther || r.cookie("sessionid") == nil {
		t.Fatalf("the genuine pair: status %d, want 303 with a session", r.status)
	}

	// Another instance with the same key, and one that rotated to a new key keeping the old.
	s2 := startServer(t, map[string]string{"GATEHOUSE_SECRET_KEY": key1})
	s3 := startServer(t, map[string]string{"GATEHOUSE_SECRET_KEY": key2 + "," + key1})
	s4 := startServer(t, map[string]string{"GATEHOUSE_SECRET_KEY": key2})
	for _, s := range []*server{s2, s3, s4} {
		s.secret(key1)
		s.secret(key2)
		s.signup(t, "form_token", "harvest-Pebble-3312")
	}
	b := account{username: s2.name("form_token"), password: "harvest-Pebble-3312"}
	if r := s2.postLoginForm(t, b, nonce, token); r.status != http.StatusSeeOther {
		t.Errorf("same key, other instance: status %d, want 303", r.status)
	}
	b.username = s3.name("form_token")
	if r := s3.postLoginForm(t, b, nonce, token); r.status != http.StatusSeeOther {
		t.Errorf("rotated list holding the key: status %d, want 303", r.status)
	}
	b.username = s4.name("form_token")
	if r := s4.postLoginForm(t, b, nonce, token); r.status != http.StatusForbidden {
		t.Errorf("old key dropped: status %d, want 403", r.status)
	}
	if strings.Contains(s1.proc.Stdout(), "GATEHOUSE_SECRET_KEY is not set") {
		t.Error("warned about a missing key although one is set")
	}
}

// TestFormTokenRandomKey: without GATEHOUSE_SECRET_KEY the server still serves its forms,
// with a key of its own, and says once at start-up what that costs.
func TestFormTokenRandomKey(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "random_key", "harvest-Pebble-3312")
	nonce, token := s.loginFormToken(t)
	if r := s.postLoginForm(t, a, nonce, token); r.status != http.StatusSeeOther {
		t.Errorf("status %d, want 303", r.status)
	}
	if n := strings.Count(s.proc.Stdout(), "GATEHOUSE_SECRET_KEY is not set: using a random key for this process"); n != 1 {
		t.Errorf("%d warnings about the random key, want 1:\n%s", n, s.proc.Stdout())
	}
}
