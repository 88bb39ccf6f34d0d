package api_test

import (
	"net/http"
	"testing"
)

// sessionKeys is the shape of a session in the list.
const sessionKeys = "auth_level,created_at,current,expires_at,id,ip,last_seen_at,user_agent"

func TestSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "commuter", "juniper-Ladder-4471")
	b := s.signup(t, "stranger", "hazel-Pocket-9902")
	const deskUA, phoneUA = "gatehouse-api-test desk/1.0", "gatehouse-api-test phone/2.0"
	desk := s.login(t, a, header("User-Agent", deskUA))
	phone := s.login(t, a, header("User-Agent", phoneUA))
	theirs := s.login(t, b)
	deskID, phoneID, theirID := s.sessionID(t, desk), s.sessionID(t, phone), s.sessionID(t, theirs)

	t.Run("lists sessions with ip, user agent and the current one", func(t *testing.T) {
		list := s.do(t, "GET", "/v1/auth/sessions", withSession(desk)).expect(t, http.StatusOK).array(t)
		if len(list) != 2 {
			t.Fatalf("got %d sessions, want 2: %v", len(list), list)
		}
		want := map[string]struct {
			ua      string
			current bool
		}{deskID: {deskUA, true}, phoneID: {phoneUA, false}}
		for _, ss := range list {
			if got := keys(ss); got != sessionKeys {
				t.Errorf("session keys = %s, want %s", got, sessionKeys)
			}
			id, _ := ss["id"].(string)
			w, ok := want[id]
			if !ok {
				t.Errorf("unexpected session %v", ss)
				continue
			}
			if ss["user_agent"] != w.ua || ss["current"] != w.current || ss["ip"] != "127.0.0.1" {
				t.Errorf("session %s = %v, want user_agent %q, current %v, ip 127.0.0.1", id, ss, w.ua, w.current)
			}
			for _, k := range []string{"created_at", "last_seen_at"} {
				checkRecent(t, k, ss[k])
			}
		}
	})

	t.Run("DELETE of another user's session answers 404", func(t *testing.T) {
		s.do(t, "DELETE", "/v1/auth/sessions/"+theirID, withSession(desk)).expect(t, http.StatusNotFound)
		s.me(t, withSession(theirs))
	})

	t.Run("DELETE of an unknown or garbage id answers 404", func(t *testing.T) {
		for _, id := range []string{"0123456789abcdef0123456789abcdef", "garbage", desk.cookie} {
			s.do(t, "DELETE", "/v1/auth/sessions/"+id, withSession(desk)).expect(t, http.StatusNotFound)
		}
	})

	t.Run("DELETE of one's other session answers 204 and ends it", func(t *testing.T) {
		r := s.do(t, "DELETE", "/v1/auth/sessions/"+phoneID, withSession(desk)).expect(t, http.StatusNoContent)
		if len(r.cookies) != 0 {
			t.Errorf("revoking another session set cookies: %q", r.header.Values("Set-Cookie"))
		}
		if got := s.status(t, "GET", "/v1/auth/me", withSession(phone)); got != http.StatusUnauthorized {
			t.Errorf("revoked session: status %d, want 401", got)
		}
		s.me(t, withSession(desk))
	})

	t.Run("DELETE of the current session clears the cookies", func(t *testing.T) {
		r := s.do(t, "DELETE", "/v1/auth/sessions/"+deskID, withSession(desk)).expect(t, http.StatusNoContent)
		if !r.clearsCookie("sessionid") || !r.clearsCookie("csrftoken") {
			t.Errorf("revoking the current session did not clear both cookies: %q", r.header.Values("Set-Cookie"))
		}
		if got := s.status(t, "GET", "/v1/auth/me", withSession(desk)); got != http.StatusUnauthorized {
			t.Errorf("revoked session: status %d, want 401", got)
		}
	})
}
