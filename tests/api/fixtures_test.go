package api_test

import (
	"net/http"
	"testing"
)

// account is a signed-up user and the password the test knows.
type account struct {
	username, password string
	id                 float64
}

// signup creates an account named s.name(base), failing the test unless the server answers
// 201.
func (s *server) signup(t testing.TB, base, password string) account {
	t.Helper()
	username := s.name(base)
	u := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
		"username": username, "password": password,
	})).expect(t, http.StatusCreated).object(t)
	id, _ := u["id"].(float64)
	return account{username: username, password: password, id: id}
}

// issuedToken is a token as POST /v1/auth/token hands it out.
type issuedToken struct {
	secret, id string
}

// token obtains a new token for a, failing the test unless the server answers 200.
func (s *server) token(t testing.TB, a account) issuedToken {
	t.Helper()
	m := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
		"username": a.username, "password": a.password,
	})).expect(t, http.StatusOK).object(t)
	secret, _ := m["token"].(string)
	id, _ := m["id"].(string)
	if secret == "" || id == "" {
		t.Fatalf("token response without token or id: %v", m)
	}
	return issuedToken{secret: secret, id: id}
}

// session is a browser login: the sessionid and csrftoken cookies.
type session struct {
	cookie, csrf string
}

// login starts a session for a, failing the test unless the server answers 200 with both
// cookies.
func (s *server) login(t testing.TB, a account, opts ...opt) session {
	t.Helper()
	opts = append([]opt{jsonBody(map[string]string{"username": a.username, "password": a.password})}, opts...)
	r := s.do(t, "POST", "/v1/auth/login", opts...).expect(t, http.StatusOK)
	sid, csrf := r.cookie("sessionid"), r.cookie("csrftoken")
	if sid == nil || sid.Value == "" || csrf == nil || csrf.Value == "" {
		t.Fatalf("login set no sessionid or csrftoken cookie: %v", r.header.Values("Set-Cookie"))
	}
	return session{cookie: sid.Value, csrf: csrf.Value}
}

// me returns GET /v1/auth/me as seen with the given credentials, failing the test unless
// the server answers 200.
func (s *server) me(t testing.TB, opts ...opt) map[string]any {
	t.Helper()
	return s.do(t, "GET", "/v1/auth/me", opts...).expect(t, http.StatusOK).object(t)
}

// sessionID returns the public id of the session that authenticates sess.
func (s *server) sessionID(t testing.TB, sess session) string {
	t.Helper()
	auth := authOf(s.me(t, withSession(sess)))
	id, _ := auth["session_id"].(string)
	if id == "" {
		t.Fatalf("me with a session shows no auth.session_id: %v", auth)
	}
	return id
}

// status returns only the status of a request; handy for "does this credential still work".
func (s *server) status(t testing.TB, method, path string, opts ...opt) int {
	t.Helper()
	return s.do(t, method, path, opts...).status
}

// clearsCookie reports whether the response deletes the named cookie.
func (r *response) clearsCookie(name string) bool {
	c := r.cookie(name)
	return c != nil && c.Value == "" && c.MaxAge < 0
}

// authOf returns the auth object of a /me response, or nil.
func authOf(me map[string]any) map[string]any {
	auth, _ := me["auth"].(map[string]any)
	return auth
}
