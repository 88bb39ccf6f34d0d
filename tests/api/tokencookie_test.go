package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestTokenInHttpOnlyCookie: a browser app asks for its token in a cookie; the secret never
// reaches the body (or scripts), the cookie authenticates, unsafe methods need the CSRF
// token as with a session, and logout clears the cookie.
func TestTokenInHttpOnlyCookie(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "spa", "canyon-Violet-5318")
	r := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]any{
		"username": a.username, "password": a.password, "name": "browser", "cookie": true,
	})).expect(t, http.StatusOK)
	body := r.object(t)
	if _, ok := body["token"]; ok {
		t.Errorf("the token is in the body too: %v", body)
	}
	tok, csrf := r.cookie("gatehouse_token"), r.cookie("csrftoken")
	if tok == nil || csrf == nil || !strings.HasPrefix(tok.Value, "gth_") {
		t.Fatalf("Set-Cookie = %q, want gatehouse_token and csrftoken", r.header.Values("Set-Cookie"))
	}
	if body["csrf_token"] != csrf.Value {
		t.Errorf("csrf_token = %v, want the csrftoken cookie's value, for pages on another origin", body["csrf_token"])
	}
	s.secret(tok.Value)
	if !tok.HttpOnly || tok.SameSite != http.SameSiteStrictMode || tok.Path != "/" || tok.MaxAge <= 0 {
		t.Errorf("token cookie HttpOnly=%v SameSite=%v Path=%q MaxAge=%d; want HttpOnly, Strict, / and the token's lifetime",
			tok.HttpOnly, tok.SameSite, tok.Path, tok.MaxAge)
	}
	withCookie := cookie("gatehouse_token", tok.Value)

	me := s.me(t, withCookie)
	if auth := authOf(me); auth["method"] != "token" || auth["token_id"] != body["id"] {
		t.Errorf("me.auth = %v, want the cookie's token", auth)
	}
	t.Run("unsafe methods need the CSRF token", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/auth/logout", withCookie).expect(t, http.StatusForbidden)
		if d := r.problem(t).Detail; !strings.HasPrefix(d, "CSRF Failed") {
			t.Errorf("detail = %q", d)
		}
	})
	t.Run("an Authorization header wins over the cookie", func(t *testing.T) {
		other := s.token(t, a)
		if got := authOf(s.me(t, withCookie, withToken(other.secret)))["token_id"]; got != other.id {
			t.Errorf("token_id = %v, want the header's %s", got, other.id)
		}
	})
	t.Run("logout revokes the token and clears the cookie", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/auth/logout", withCookie, cookie("csrftoken", csrf.Value),
			header("X-CSRFToken", csrf.Value)).expect(t, http.StatusNoContent)
		if !r.clearsCookie("gatehouse_token") {
			t.Errorf("logout did not clear the token cookie: %q", r.header.Values("Set-Cookie"))
		}
		r = s.do(t, "GET", "/v1/auth/me", withCookie).expect(t, http.StatusUnauthorized)
		if !r.clearsCookie("gatehouse_token") {
			t.Error("a stale token cookie was not cleared")
		}
	})
}
