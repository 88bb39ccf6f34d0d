package api_test

import (
	"net/http"
	"testing"
)

// TestTwoInstancesShareStores runs two servers on one set of shared stores, as a deployment
// behind a load balancer does: credentials from one work on the other, and a logout on one
// is refused by the other at once.
func TestTwoInstancesShareStores(t *testing.T) {
	if current.name == "memory" {
		t.Skip("memory stores belong to one process: instances cannot share them, by design (README, Storage)")
	}
	t.Parallel()
	env := profileEnv(t)
	one, two := startServer(t, env), startServer(t, env)
	a := one.signup(t, "twin", "lantern-Orchid-3390")
	tok := one.token(t, a)
	sess := one.login(t, a)
	two.secret(tok.secret)
	two.secret(sess.cookie)
	two.secret(sess.csrf)
	two.secret(a.password)

	if got := two.me(t, withToken(tok.secret))["username"]; got != a.username {
		t.Errorf("token from one on two: username %v, want %s", got, a.username)
	}
	if got := authOf(two.me(t, withSession(sess)))["method"]; got != "session" {
		t.Errorf("session from one on two: method %v, want session", got)
	}
	two.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
		"username": a.username, "password": a.password,
	})).expect(t, http.StatusOK)

	one.do(t, "POST", "/v1/auth/logout", withToken(tok.secret)).expect(t, http.StatusNoContent)
	two.do(t, "GET", "/v1/auth/me", withToken(tok.secret)).expect(t, http.StatusUnauthorized)
	one.do(t, "POST", "/v1/auth/logout", withSession(sess)).expect(t, http.StatusNoContent)
	two.do(t, "GET", "/v1/auth/me", withSession(sess)).expect(t, http.StatusUnauthorized)
}
