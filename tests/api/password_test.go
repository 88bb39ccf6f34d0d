package api_test

import (
	"net/http"
	"testing"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("refuses a wrong old password", func(t *testing.T) {
		a := s.signup(t, "forgetful", "pepper-Violin-5528")
		tok := s.token(t, a)
		s.do(t, "POST", "/v1/auth/password", withToken(tok.secret), jsonBody(map[string]string{
			"old_password": "not-the-Password-77", "new_password": "fresh-Otter-Dance-31",
		})).fieldErrors(t, "old_password")

		t.Run("and a new password that breaks the policy", func(t *testing.T) {
			msgs := s.do(t, "POST", "/v1/auth/password", withToken(tok.secret), jsonBody(map[string]string{
				"old_password": a.password, "new_password": "short",
			})).fieldErrors(t, "new_password")
			if !containsWord(msgs, "short") {
				t.Errorf("errors.new_password = %q, want a message saying short", msgs)
			}
		})
		// Neither attempt changed anything.
		s.me(t, withToken(tok.secret))
		s.token(t, a)
	})

	for _, via := range []string{"token", "session"} {
		t.Run("through a "+via+" revokes every other credential and keeps the caller's", func(t *testing.T) {
			a := s.signup(t, "rotator-"+via, "tundra-Mosaic-7730")
			sess, otherSess := s.login(t, a), s.login(t, a)
			tok, otherTok := s.token(t, a), s.token(t, a)
			caller := withToken(tok.secret)
			if via == "session" {
				caller = withSession(sess)
			}
			r := s.do(t, "POST", "/v1/auth/password", caller, jsonBody(map[string]string{
				"old_password": a.password, "new_password": "glacier-Orbit-6614",
			})).expect(t, http.StatusNoContent)

			others := map[string]opt{"other session": withSession(otherSess), "other token": withToken(otherTok.secret)}
			if via == "token" {
				s.me(t, caller)
				others["session"] = withSession(sess)
			} else {
				// The session id is rotated: the response carries the new one, the old one is gone.
				sid, csrf := r.cookie("sessionid"), r.cookie("csrftoken")
				if sid == nil || sid.Value == "" || sid.Value == sess.cookie || csrf == nil {
					t.Fatalf("a session caller's password change set no new session: %v", r.header.Values("Set-Cookie"))
				}
				s.secret(sid.Value)
				s.me(t, withSession(session{cookie: sid.Value, csrf: csrf.Value}))
				others["old session"] = withSession(sess)
				others["token"] = withToken(tok.secret)
			}
			for name, o := range others {
				if got := s.status(t, "GET", "/v1/auth/me", o); got != http.StatusUnauthorized {
					t.Errorf("%s after the change: status %d, want 401", name, got)
				}
			}
			s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
				"username": a.username, "password": a.password,
			})).expect(t, http.StatusUnauthorized)
			s.token(t, account{username: a.username, password: "glacier-Orbit-6614"})
		})
	}
}
