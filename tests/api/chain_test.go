package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// Challenges, as the default chain sends them.
const (
	tokenChallenge = `Token realm="gatehouse"`
	basicChallenge = `Basic realm="gatehouse"`
)

func TestChainChallengesWithoutCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		chain      string // GATEHOUSE_AUTHENTICATORS; "" for the default
		status     int
		challenges []string
	}{
		{"", http.StatusUnauthorized, []string{tokenChallenge, basicChallenge}},
		{"default", http.StatusUnauthorized, []string{basicChallenge}},
		{"basic,token,session", http.StatusUnauthorized, []string{basicChallenge, tokenChallenge}},
		{"session", http.StatusForbidden, nil},
	} {
		name := tc.chain
		if name == "" {
			name = "unset"
		}
		t.Run("chain "+name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, map[string]string{"GATEHOUSE_AUTHENTICATORS": tc.chain})
			r := s.do(t, "GET", "/v1/auth/me").expect(t, tc.status)
			if got := r.header.Values("WWW-Authenticate"); !slices.Equal(got, tc.challenges) {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenges)
			}
		})
	}
}

func TestChainOrderDecidesBetweenSessionAndInvalidToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		chain  string
		status int
	}{
		{"session,token", http.StatusOK},
		{"token,session", http.StatusUnauthorized},
	} {
		t.Run(tc.chain, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, map[string]string{"GATEHOUSE_AUTHENTICATORS": tc.chain})
			a := s.signup(t, "chained", "orchid-Piston-2285")
			sess, revoked := s.login(t, a), s.token(t, a)
			s.do(t, "POST", "/v1/auth/logout", withToken(revoked.secret)).expect(t, http.StatusNoContent)
			for name, bad := range map[string]string{
				"malformed token": "Token gth_not-a-token",
				"revoked token":   "Token " + revoked.secret,
			} {
				r := s.do(t, "GET", "/v1/auth/me", withSession(sess), header("Authorization", bad))
				if r.status != tc.status {
					t.Errorf("valid session with a %s: status %d, want %d; body %s", name, r.status, tc.status, r.body)
				}
			}
		})
	}
}

func TestChainInvalidCredentialsDoNotFallThrough(t *testing.T) {
	t.Parallel()
	// The session comes last, so a request that carries it and an invalid header credential
	// would succeed if the chain fell through.
	s := startServer(t, map[string]string{"GATEHOUSE_AUTHENTICATORS": "token,basic,session"})
	a := s.signup(t, "persistent", "ember-Quarry-9174")
	sess, tok, revoked := s.login(t, a), s.token(t, a), s.token(t, a)
	s.do(t, "DELETE", "/v1/auth/tokens/"+revoked.id, withToken(tok.secret)).expect(t, http.StatusNoContent)
	typo := mistype(tok.secret)

	for _, tc := range []struct {
		name string
		cred opt
	}{
		{"revoked token", withToken(revoked.secret)},
		{"mistyped token", withToken(string(typo))},
		{"malformed token", header("Authorization", "Token not-a-token")},
		{"wrong basic password", withBasic(a.username, "not-the-Password-77")},
		{"basic for an unknown user", withBasic("nobody-here", a.password)},
		{"unknown scheme", header("Authorization", "Digest username=\"persistent\"")},
	} {
		t.Run(tc.name+" is 401 although a valid session follows", func(t *testing.T) {
			s.do(t, "GET", "/v1/auth/me", withSession(sess), tc.cred).expect(t, http.StatusUnauthorized)
		})
	}
	t.Run("the session still works alone", func(t *testing.T) {
		if m := s.me(t, withSession(sess)); authOf(m)["method"] != "session" {
			t.Errorf("auth = %v, want method session", m["auth"])
		}
	})
}

func TestChainCredentials(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "keyholder", "lichen-Tablet-3306")
	tok := s.token(t, a)

	t.Run("Bearer is accepted for a token", func(t *testing.T) {
		m := s.me(t, header("Authorization", "Bearer "+tok.secret))
		if auth := authOf(m); auth["method"] != "token" || auth["token_id"] != tok.id {
			t.Errorf("auth = %v, want method token with token_id %s", auth, tok.id)
		}
	})

	t.Run("token and basic requests are exempt from CSRF", func(t *testing.T) {
		throwaway := s.token(t, a)
		s.do(t, "POST", "/v1/auth/logout", withToken(throwaway.secret)).expect(t, http.StatusNoContent)
		s.do(t, "POST", "/v1/auth/logout", withBasic(a.username, a.password)).expect(t, http.StatusNoContent)
	})

	for _, tc := range []struct{ name, username, password string }{
		{"basic password may contain colons", "colonist", "pa:ss:Word-8812:"},
		{"basic credentials are UTF-8", "Zoë_Ünïcode", "pässwörd-Ñandú-42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := s.signup(t, tc.username, tc.password)
			m := s.me(t, withBasic(u.username, tc.password))
			if m["username"] != u.username || m["id"] != u.id || authOf(m)["method"] != "basic" {
				t.Errorf("me = %v, want %s by basic", m, u.username)
			}
		})
	}

	t.Run("an unknown session cookie counts as absent and is cleared", func(t *testing.T) {
		ended := s.login(t, a)
		s.do(t, "POST", "/v1/auth/logout", withSession(ended)).expect(t, http.StatusNoContent)
		for name, value := range map[string]string{"ended session": ended.cookie, "garbage": "not-a-session-id"} {
			r := s.do(t, "GET", "/v1/auth/me", withSessionCookie(value), withToken(tok.secret))
			if r.status != http.StatusOK || authOf(r.object(t))["method"] != "token" {
				t.Errorf("%s cookie with a valid token: status %d, body %s; want 200 by token", name, r.status, r.body)
			}
			if !r.clearsCookie("sessionid") {
				t.Errorf("%s cookie was not cleared: %q", name, r.header.Values("Set-Cookie"))
			}
			alone := s.do(t, "GET", "/v1/auth/me", withSessionCookie(value)).expect(t, http.StatusUnauthorized)
			if got := alone.header.Values("WWW-Authenticate"); len(got) != 2 {
				t.Errorf("%s cookie alone: WWW-Authenticate = %q, want the two challenges of no credentials", name, got)
			}
			if !alone.clearsCookie("sessionid") {
				t.Errorf("%s cookie alone was not cleared: %q", name, alone.header.Values("Set-Cookie"))
			}
		}
	})
}

func TestChainExpiredCredentials(t *testing.T) {
	t.Parallel()
	const lifetime = time.Second
	s := startServer(t, map[string]string{
		"GATEHOUSE_SESSION_IDLE_TIMEOUT": lifetime.String(),
		"GATEHOUSE_TOKEN_TTL":            lifetime.String(),
		"GATEHOUSE_TOUCH_INTERVAL":       "0s",
	})
	a := s.signup(t, "ephemeral", "meteor-Saddle-5507")
	sess, tok := s.login(t, a), s.token(t, a)
	time.Sleep(lifetime + 500*time.Millisecond)

	t.Run("an expired session cookie counts as absent and is cleared", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/auth/me", withSession(sess), withBasic(a.username, a.password)).expect(t, http.StatusOK)
		if m := r.object(t); authOf(m)["method"] != "basic" {
			t.Errorf("auth = %v, want method basic", m["auth"])
		}
		if !r.clearsCookie("sessionid") {
			t.Errorf("expired session cookie was not cleared: %q", r.header.Values("Set-Cookie"))
		}
	})

	t.Run("an expired token is invalid", func(t *testing.T) {
		r := s.do(t, "GET", "/v1/auth/me", withToken(tok.secret)).expect(t, http.StatusUnauthorized)
		if d := r.problem(t).Detail; d != "Invalid token." {
			t.Errorf("detail = %q, want %q", d, "Invalid token.")
		}
	})
}

// mistype flips the case of the first letter after the prefix: same length and alphabet,
// so only the checksum (or the store) can tell it is wrong.
func mistype(secret string) string {
	b := []byte(secret)
	for i := len("gth_"); i < len(b); i++ {
		if 'a' <= b[i] && b[i] <= 'z' || 'A' <= b[i] && b[i] <= 'Z' {
			b[i] ^= 0x20
			break
		}
	}
	return string(b)
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	const idle, absolute = 2 * time.Second, 4 * time.Second
	s := startServer(t, map[string]string{
		"GATEHOUSE_SESSION_IDLE_TIMEOUT":     idle.String(),
		"GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT": absolute.String(),
		"GATEHOUSE_TOUCH_INTERVAL":           "0s", // record every use, so the idle deadline slides
	})
	a := s.signup(t, "regular", "pebble-Summit-2209")
	sent := time.Now()
	sess := s.login(t, a)
	loggedIn := time.Now()

	t.Run("use keeps a session past its idle timeout", func(t *testing.T) {
		for time.Since(sent) < idle+idle/2 {
			s.me(t, withSession(sess))
			time.Sleep(idle / 8)
		}
	})

	t.Run("the absolute timeout ends a session in use", func(t *testing.T) {
		for time.Since(loggedIn) < absolute+200*time.Millisecond {
			s.do(t, "GET", "/v1/auth/me", withSession(sess)) // keep it from idling out
			time.Sleep(idle / 8)
		}
		r := s.do(t, "GET", "/v1/auth/me", withSession(sess)).expect(t, http.StatusUnauthorized)
		if !r.clearsCookie("sessionid") {
			t.Errorf("the ended session's cookie was not cleared: %q", r.header.Values("Set-Cookie"))
		}
	})
}
