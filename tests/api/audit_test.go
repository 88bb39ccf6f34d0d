package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAuditLog: signups, logins and failures, token creation and revocation, logouts,
// password changes and account deletions each leave one JSON audit line with the user and the request id, and
// no secret (the server's cleanup checks the whole log for every secret the test used).
func TestAuditLog(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "auditee", "copper-Meadow-8812")
	tok := s.token(t, a)
	s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": a.username, "password": "wrong-Guess-4411"})).
		expect(t, http.StatusUnauthorized)
	s.do(t, "DELETE", "/v1/auth/tokens/"+tok.id, withToken(tok.secret)).expect(t, http.StatusNoContent)
	s.do(t, "DELETE", "/v1/auth/me", withBasic(a.username, a.password), jsonBody(map[string]string{"password": a.password})).
		expect(t, http.StatusNoContent)

	type record struct {
		Msg       string
		Audit     bool
		Event     string
		UserID    float64 `json:"user_id"`
		ItemID    string  `json:"item_id"`
		RequestID string  `json:"request_id"`
		ClientIP  string  `json:"client_ip"`
	}
	want := []string{"signup", "login", "token_created", "login_failed", "token_revoked", "user_deleted"}
	events := map[string]record{}
	// The server writes a line before it answers, but the line reaches our copy of its
	// output through a pipe a moment later: wait for it, within a bound.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(s.proc.Stdout(), "\n") {
			var r record
			if json.Unmarshal([]byte(line), &r) == nil && r.Audit {
				events[r.Event] = r
			}
		}
		if len(events) >= len(want) || time.Now().After(deadline) {
			break
		}
	}
	for _, ev := range want {
		r, ok := events[ev]
		if !ok {
			t.Errorf("no %s audit line; got %v", ev, events)
			continue
		}
		if r.UserID != a.id || r.RequestID == "" || r.ClientIP == "" {
			t.Errorf("%s audit line %+v: want user %v, a request id and a client IP", ev, r, a.id)
		}
	}
	if r := events["token_revoked"]; r.ItemID != tok.id {
		t.Errorf("token_revoked names %q, want the token's public id %q", r.ItemID, tok.id)
	}
}
