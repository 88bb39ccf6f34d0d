package api_test

import (
	"net/http"
	"testing"
)

// TestRestartKeepsEverything stops a server and starts a new one on the same stores: users,
// tokens and sessions made before the restart still work after it.
func TestRestartKeepsEverything(t *testing.T) {
	if current.name == "memory" {
		t.Skip("the memory profile keeps nothing across a restart, by design (README, Storage)")
	}
	t.Parallel()
	env := profileEnv(t) // one set of stores for both servers
	first := startServer(t, env)
	a := first.signup(t, "restart", "harbor-Lantern-5821")
	tok := first.token(t, a)
	sess := first.login(t, a)
	if code := first.stop(t); code != 0 {
		t.Fatalf("first server exited with %d", code)
	}

	second := startServer(t, env)
	second.secret(tok.secret)
	second.secret(sess.cookie)
	if got := second.me(t, withToken(tok.secret))["username"]; got != a.username {
		t.Errorf("token after restart: me.username = %v, want %s", got, a.username)
	}
	if got := authOf(second.me(t, withSession(sess)))["method"]; got != "session" {
		t.Errorf("session after restart: auth.method = %v, want session", got)
	}
	second.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
		"username": a.username, "password": a.password,
	})).expect(t, http.StatusOK)
}
