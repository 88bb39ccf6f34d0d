package api_test

import (
	"net/http"
	"testing"
)

func TestMe(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "selfie", "marble-Falcon-2236")
	sess, tok := s.login(t, a), s.token(t, a)
	var currentSession string
	for _, ss := range s.do(t, "GET", "/v1/auth/sessions", withToken(tok.secret)).expect(t, http.StatusOK).array(t) {
		currentSession, _ = ss["id"].(string) // the only session
	}

	for _, tc := range []struct {
		method   string
		cred     opt
		authKeys string
		idKey    string
		wantID   string
	}{
		{"session", withSession(sess), "method,session_id", "session_id", currentSession},
		{"token", withToken(tok.secret), "method,token_id", "token_id", tok.id},
		{"basic", withBasic(a.username, a.password), "method", "", ""},
	} {
		t.Run("shows the user and how "+tc.method+" authenticated", func(t *testing.T) {
			m := s.me(t, tc.cred)
			if got, want := keys(m), "auth,auth_level,date_joined,email,email_verified,factors,id,username"; got != want {
				t.Errorf("keys = %s, want %s", got, want)
			}
			if m["auth_level"] != 1.0 {
				t.Errorf("auth_level = %v, want 1 (a password login)", m["auth_level"])
			}
			if f, ok := m["factors"].([]any); !ok || len(f) != 0 {
				t.Errorf("factors = %v, want []", m["factors"])
			}
			if m["id"] != a.id || m["username"] != a.username {
				t.Errorf("me = %v, want user %s with id %v", m, a.username, a.id)
			}
			auth := authOf(m)
			if got := keys(auth); got != tc.authKeys {
				t.Errorf("auth keys = %s, want %s: %v", got, tc.authKeys, auth)
			}
			if auth["method"] != tc.method {
				t.Errorf("auth.method = %v, want %s", auth["method"], tc.method)
			}
			if tc.idKey != "" && auth[tc.idKey] != tc.wantID {
				t.Errorf("auth.%s = %v, want %s", tc.idKey, auth[tc.idKey], tc.wantID)
			}
		})
	}
}
