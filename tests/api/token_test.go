package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestObtainToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "tokenuser", "velvet-Canyon-4412")

	t.Run("answers 200 with token, id, name and expires_at", func(t *testing.T) {
		m := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": a.username, "password": a.password,
		})).expect(t, http.StatusOK).object(t)
		if got, want := keys(m), "expires_at,id,name,token"; got != want {
			t.Errorf("keys = %s, want %s", got, want)
		}
		if tok, _ := m["token"].(string); !strings.HasPrefix(tok, "gth_") {
			t.Errorf("token = %q, want the gth_ prefix", tok)
		}
		if id, _ := m["id"].(string); id == "" {
			t.Errorf("id = %v, want a non-empty string", m["id"])
		}
		if m["name"] != "default" {
			t.Errorf("name = %v, want default", m["name"])
		}
		exp, _ := m["expires_at"].(string)
		at, err := time.Parse(time.RFC3339Nano, exp)
		if want := time.Now().Add(30 * 24 * time.Hour); err != nil || at.Sub(want).Abs() > time.Minute {
			t.Errorf("expires_at = %v, want about %v (30 days)", m["expires_at"], want)
		}
	})

	t.Run("issues a new named token per call", func(t *testing.T) {
		seen := map[string]bool{}
		for _, name := range []string{"laptop", "phone"} {
			m := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
				"username": a.username, "password": a.password, "name": name,
			})).expect(t, http.StatusOK).object(t)
			if m["name"] != name {
				t.Errorf("name = %v, want %s", m["name"], name)
			}
			for _, k := range []string{"token", "id"} {
				v, _ := m[k].(string)
				if seen[v] {
					t.Errorf("%s repeated across calls", k)
				}
				seen[v] = true
			}
		}
	})

	t.Run("bad password and unknown user get the same 401", func(t *testing.T) {
		wrong := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": a.username, "password": "not-the-Password-77",
		})).expect(t, http.StatusUnauthorized)
		unknown := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": "nobody-here", "password": "not-the-Password-77",
		})).expect(t, http.StatusUnauthorized)
		if d := wrong.problem(t).Detail; d != "Invalid username or password." {
			t.Errorf("detail = %q, want %q", d, "Invalid username or password.")
		}
		if !bytes.Equal(wrong.body, unknown.body) {
			t.Errorf("bodies differ:\nwrong password: %s\nunknown user:   %s", wrong.body, unknown.body)
		}
	})
}

func TestObtainTokenWithoutExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_TOKEN_TTL": "0"})
	a := s.signup(t, "forever", "amber-Lantern-9031")
	m := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
		"username": a.username, "password": a.password,
	})).expect(t, http.StatusOK).object(t)
	if v, ok := m["expires_at"]; !ok || v != nil {
		t.Errorf("expires_at = %v (present %v), want null", v, ok)
	}
}
