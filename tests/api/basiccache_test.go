package api_test

import (
	"net/http"
	"testing"
)

// TestBasicCache: with GATEHOUSE_BASIC_CACHE_TTL set, repeated Basic requests keep working,
// and a password change ends the remembered credentials at once.
func TestBasicCache(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_BASIC_CACHE_TTL": "1m"})
	a := s.signup(t, "cached", "ripple-Falcon-3391")
	for range 3 {
		s.me(t, withBasic(a.username, a.password))
	}
	s.do(t, "GET", "/v1/auth/me", withBasic(a.username, "wrong-Guess-7777")).expect(t, http.StatusUnauthorized)
	tok := s.token(t, a)
	s.do(t, "POST", "/v1/auth/password", withToken(tok.secret), jsonBody(map[string]string{
		"old_password": a.password, "new_password": "ripple-Falcon-3392",
	})).expect(t, http.StatusNoContent)
	s.do(t, "GET", "/v1/auth/me", withBasic(a.username, a.password)).expect(t, http.StatusUnauthorized)
	s.me(t, withBasic(a.username, "ripple-Falcon-3392"))
}
