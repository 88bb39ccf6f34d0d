package fault_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

// password is the password of every account the tests make.
const password = "tranquil harbour lantern"

// fixture is what a test writes while the stores are healthy: one user with a token, a
// revoked token and a session. After an outage all of it must still be there, revoked
// token still revoked.
type fixture struct {
	username  string
	token     string // secret
	tokenID   string
	revoked   string // secret of a token revoked before any cut
	session   session
	sessionID string
}

// session is a browser login: the sessionid and csrftoken cookies.
type session struct {
	cookie, csrf string
}

// newFixture signs up a user and gives it a token, a revoked token and a session.
func newFixture(t *testing.T, s *server) *fixture {
	t.Helper()
	f := &fixture{username: "faulty"}
	creds := map[string]string{"username": f.username, "password": password}
	s.sendWithin(request{method: "POST", path: "/v1/auth/signup", body: creds}, setupTimeout).object(t, "signup")

	tok := s.sendWithin(request{method: "POST", path: "/v1/auth/token", body: creds}, setupTimeout).object(t, "token")
	f.token, _ = tok["token"].(string)
	f.tokenID, _ = tok["id"].(string)
	old := s.sendWithin(request{method: "POST", path: "/v1/auth/token", body: creds}, setupTimeout).object(t, "second token")
	f.revoked, _ = old["token"].(string)
	if f.token == "" || f.tokenID == "" || f.revoked == "" {
		t.Fatalf("token responses without token or id: %v, %v", tok, old)
	}
	if r := s.sendWithin(request{method: "POST", path: "/v1/auth/logout", cred: withToken(f.revoked)}, setupTimeout); r.status != http.StatusNoContent {
		t.Fatalf("logout with the second token: %v", r)
	}

	login := s.sendWithin(request{method: "POST", path: "/v1/auth/login", body: creds}, setupTimeout)
	login.object(t, "login")
	f.session = session{cookie: login.cookie("sessionid"), csrf: login.cookie("csrftoken")}
	if f.session.cookie == "" || f.session.csrf == "" {
		t.Fatalf("login set no sessionid or csrftoken cookie: %v", login.header.Values("Set-Cookie"))
	}
	f.sessionID, _ = authOf(s.sendWithin(f.probes()[sessionMe], setupTimeout).object(t, "me by session"))["session_id"].(string)
	if f.sessionID == "" {
		t.Fatal("me by session shows no auth.session_id")
	}
	return f
}

// Probe names. The first three are also the load.
const (
	tokenMe     = "token /me"
	sessionMe   = "session /me"
	basicMe     = "basic /me"
	revokedMe   = "revoked token /me"
	wrongPassMe = "wrong password /me"
	anonymousMe = "anonymous /me"
	newToken    = "POST /token"
	newSession  = "POST /login"
	newUser     = "POST /signup"
	healthz     = "GET /healthz"
	readyz      = "GET /readyz"
)

// loadKinds are the requests the load sends: one per authentication method.
var loadKinds = []string{tokenMe, sessionMe, basicMe}

// signups numbers the users that probes sign up, so each name is new.
var signups atomic.Int64

// probes returns every request the tests make of a server, by name. Each call signs up a
// different user.
func (f *fixture) probes() map[string]request {
	creds := map[string]string{"username": f.username, "password": password}
	me := func(cred func(*http.Request)) request {
		return request{method: "GET", path: "/v1/auth/me", cred: cred}
	}
	return map[string]request{
		tokenMe:     me(withToken(f.token)),
		sessionMe:   me(withSession(f.session)),
		basicMe:     me(withBasic(f.username, password)),
		revokedMe:   me(withToken(f.revoked)),
		wrongPassMe: me(withBasic(f.username, "not the password at all")),
		anonymousMe: me(nil),
		newToken:    {method: "POST", path: "/v1/auth/token", body: creds},
		newSession:  {method: "POST", path: "/v1/auth/login", body: creds},
		newUser: {method: "POST", path: "/v1/auth/signup", body: map[string]string{
			"username": fmt.Sprintf("newcomer%d", signups.Add(1)), "password": password}},
		healthz: {method: "GET", path: "/healthz"},
		readyz:  {method: "GET", path: "/readyz"},
	}
}

// authOf returns the auth object of a /me response, or nil.
func authOf(me map[string]any) map[string]any {
	auth, _ := me["auth"].(map[string]any)
	return auth
}
