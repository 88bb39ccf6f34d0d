package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

// cachesOn keeps users and Basic credentials in process memory, so the tests show that no
// cache keeps a deleted account alive.
var cachesOn = map[string]string{"GATEHOUSE_USER_CACHE_TTL": "1m", "GATEHOUSE_BASIC_CACHE_TTL": "1m"}

// TestDeleteAccount deletes an account through each kind of caller: a wrong password is a
// 400 and changes nothing; the right one is a 204, after which no credential of the account
// works, and its name can be signed up again by a new account that does.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	s := startServer(t, cachesOn)
	const pw, newPW = "saffron-Kettle-4183", "cobalt-Whistle-2967"
	for _, via := range []string{"token", "session", "basic"} {
		t.Run("through "+via, func(t *testing.T) {
			a := s.signup(t, "leaver-"+via, pw)
			sess, tok := s.login(t, a), s.token(t, a)
			caller := map[string]opt{"token": withToken(tok.secret), "session": withSession(sess),
				"basic": withBasic(a.username, pw)}[via]
			// Warm every cache with the account.
			for _, o := range []opt{withToken(tok.secret), withSession(sess), withBasic(a.username, pw)} {
				s.me(t, o)
			}

			s.do(t, "DELETE", "/v1/auth/me", caller, jsonBody(map[string]string{"password": "not-the-Password-77"})).fieldErrors(t, "password")
			s.do(t, "DELETE", "/v1/auth/me", caller, jsonBody(map[string]string{})).fieldErrors(t, "password")
			s.do(t, "DELETE", "/v1/auth/me", jsonBody(map[string]string{"password": pw})).expect(t, http.StatusUnauthorized)
			s.me(t, withToken(tok.secret)) // nothing changed yet
			s.me(t, withSession(sess))

			r := s.do(t, "DELETE", "/v1/auth/me", caller, jsonBody(map[string]string{"password": pw})).expect(t, http.StatusNoContent)
			if via == "session" && !r.clearsCookie("sessionid") {
				t.Errorf("deleting through a session kept its cookie: %v", r.header.Values("Set-Cookie"))
			}
			gone := func(when string) {
				t.Helper()
				for name, o := range map[string]opt{"session": withSession(sess), "token": withToken(tok.secret),
					"basic with the old password": withBasic(a.username, pw)} {
					if got := s.status(t, "GET", "/v1/auth/me", o); got != http.StatusUnauthorized {
						t.Errorf("%s %s: status %d, want 401", name, when, got)
					}
				}
				s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
					"username": a.username, "password": pw,
				})).expect(t, http.StatusUnauthorized)
			}
			gone("after the deletion")
			s.do(t, "DELETE", "/v1/auth/me", caller, jsonBody(map[string]string{"password": pw})).expect(t, http.StatusUnauthorized)

			again := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
				"username": a.username, "password": newPW,
			})).expect(t, http.StatusCreated).object(t)
			if id, _ := again["id"].(float64); id == a.id {
				t.Errorf("the new account got the deleted id %v", id)
			}
			gone("once the name is signed up again")
			b := account{username: a.username, password: newPW}
			if me := s.me(t, withToken(s.token(t, b).secret)); me["id"] == a.id {
				t.Errorf("the new account's token names the deleted id: %v", me)
			}
			s.me(t, withSession(s.login(t, b)))
			s.me(t, withBasic(a.username, newPW))
		})
	}
}

// TestDeleteAccountOnEveryInstance deletes an account on one instance while another holds
// its user and Basic credentials in memory: the other refuses them at once.
func TestDeleteAccountOnEveryInstance(t *testing.T) {
	if current.name == "memory" {
		t.Skip("memory stores belong to one process: instances cannot share them, by design (README, Storage)")
	}
	t.Parallel()
	env := profileEnv(t)
	for k, v := range cachesOn {
		env[k] = v
	}
	one, two := startServer(t, env), startServer(t, env)
	const pw = "juniper-Anvil-6052"
	a := one.signup(t, "leaver-twin", pw)
	sess, tok := one.login(t, a), one.token(t, a)
	for _, v := range []string{sess.cookie, sess.csrf, tok.secret, pw} {
		two.secret(v)
	}
	creds := map[string]opt{"session": withSession(sess), "token": withToken(tok.secret), "basic": withBasic(a.username, pw)}
	for _, o := range creds {
		two.me(t, o)
	}
	one.do(t, "DELETE", "/v1/auth/me", withToken(tok.secret), jsonBody(map[string]string{"password": pw})).expect(t, http.StatusNoContent)
	for name, o := range creds {
		if got := two.status(t, "GET", "/v1/auth/me", o); got != http.StatusUnauthorized {
			t.Errorf("%s on the other instance after the deletion: status %d, want 401", name, got)
		}
	}
	two.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{"username": a.username, "password": pw})).expect(t, http.StatusCreated)
}

// TestWrongPasswordsForDeletionAreThrottled: someone holding a stolen token guesses the
// password to delete the account; with the default limits the guesses meet 429 before the
// twelfth, and then so does the right password, so the account stays.
func TestWrongPasswordsForDeletionAreThrottled(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{
		"GATEHOUSE_THROTTLE_LOGIN_USER":    "",
		"GATEHOUSE_THROTTLE_LOGIN_IP":      "",
		"GATEHOUSE_THROTTLE_LOGIN_ACCOUNT": "",
	})
	a := s.signup(t, "stolen-delete", "granite-Harbor-4471")
	tok, sess := s.token(t, a), s.login(t, a)
	del := func(pw string) *response {
		return s.do(t, "DELETE", "/v1/auth/me", withToken(tok.secret), jsonBody(map[string]string{"password": pw}))
	}
	first := 0
	for i := range 12 {
		r := del(fmt.Sprintf("wrong-Guess-%02d", i))
		if r.status == http.StatusTooManyRequests {
			first = i + 1
			break
		}
		r.fieldErrors(t, "password")
	}
	if first == 0 || first >= 12 {
		t.Fatalf("first 429 at guess %d of 12, want one before the twelfth", first)
	}
	throttled(t, del(a.password))
	s.me(t, withSession(sess)) // a deletion would have revoked it
}
