package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// tokenKeys is the shape of a token in the list.
const tokenKeys = "auth_level,created_at,expires_at,id,last_used_at,name"

func TestTokens(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "collector", "saffron-Bridge-8054")
	b := s.signup(t, "neighbour", "cobalt-Window-3379")
	keep, drop, theirs := s.token(t, a), s.token(t, a), s.token(t, b)
	list := func(t *testing.T) map[string]map[string]any {
		r := s.do(t, "GET", "/v1/auth/tokens", withToken(keep.secret)).expect(t, http.StatusOK)
		for _, secret := range []string{keep.secret, drop.secret, theirs.secret} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("the token list shows a secret: %s", r.body)
			}
		}
		byID := map[string]map[string]any{}
		for _, tok := range r.array(t) {
			id, _ := tok["id"].(string)
			byID[id] = tok
		}
		return byID
	}

	t.Run("lists the caller's tokens without their secrets", func(t *testing.T) {
		byID := list(t)
		if len(byID) != 2 || byID[keep.id] == nil || byID[drop.id] == nil {
			t.Fatalf("token ids = %v, want exactly %s and %s", byID, keep.id, drop.id)
		}
		for id, tok := range byID {
			if got := keys(tok); got != tokenKeys {
				t.Errorf("token %s keys = %s, want %s", id, got, tokenKeys)
			}
			checkRecent(t, "created_at", tok["created_at"])
		}
		checkRecent(t, "last_used_at of the calling token", byID[keep.id]["last_used_at"])
		if v := byID[drop.id]["last_used_at"]; v != nil {
			t.Errorf("last_used_at of an unused token = %v, want null", v)
		}
	})

	t.Run("DELETE of one's own token answers 204 and revokes it", func(t *testing.T) {
		s.do(t, "DELETE", "/v1/auth/tokens/"+drop.id, withToken(keep.secret)).expect(t, http.StatusNoContent)
		if got := s.status(t, "GET", "/v1/auth/me", withToken(drop.secret)); got != http.StatusUnauthorized {
			t.Errorf("revoked token: status %d, want 401", got)
		}
		if byID := list(t); byID[drop.id] != nil || byID[keep.id] == nil {
			t.Errorf("token ids after revoking %s: %v", drop.id, byID)
		}
	})

	t.Run("DELETE of another user's token answers 404", func(t *testing.T) {
		s.do(t, "DELETE", "/v1/auth/tokens/"+theirs.id, withToken(keep.secret)).expect(t, http.StatusNotFound)
		s.me(t, withToken(theirs.secret))
	})

	t.Run("DELETE of an unknown or garbage id answers 404", func(t *testing.T) {
		for _, id := range []string{
			drop.id,                            // already revoked
			"0123456789abcdef0123456789abcdef", // well-formed, never issued
			"not-an-id",
			strings.ToUpper(keep.id),
			keep.secret,
			strings.Repeat("f", 300),
		} {
			s.do(t, "DELETE", "/v1/auth/tokens/"+id, withToken(keep.secret)).expect(t, http.StatusNotFound)
		}
		s.me(t, withToken(keep.secret))
	})
}
