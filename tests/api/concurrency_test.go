package api_test

import (
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentRequests drives reads, writes and revocations of one user's credentials at
// once. Under -race the server is race-checked, so a data race fails the test at cleanup.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	// A zero touch interval makes every authenticated request write its last-used time.
	s := startServer(t, map[string]string{"GATEHOUSE_TOUCH_INTERVAL": "0s"})
	a := s.signup(t, "busy", "thistle-Anchor-8426")
	sess, tok := s.login(t, a), s.token(t, a)
	doomed := []issuedToken{s.token(t, a), s.token(t, a)}
	doomedSess := s.login(t, a)
	doomedID := s.sessionID(t, doomedSess)

	const workers, rounds = 6, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				var r *response
				switch (w + i) % 5 {
				case 0:
					r = s.do(t, "GET", "/v1/auth/me", withToken(tok.secret))
				case 1:
					r = s.do(t, "GET", "/v1/auth/me", withSession(sess))
				case 2:
					r = s.do(t, "GET", "/v1/auth/tokens", withToken(tok.secret))
				case 3:
					r = s.do(t, "GET", "/v1/auth/sessions", withSession(sess))
				case 4:
					// Revoked by whichever worker comes first; the others get 401 or 404.
					s.do(t, "GET", "/v1/auth/me", withToken(doomed[i%2].secret))
					s.do(t, "DELETE", "/v1/auth/tokens/"+doomed[i%2].id, withToken(tok.secret))
					s.do(t, "DELETE", "/v1/auth/sessions/"+doomedID, withToken(tok.secret))
					continue
				}
				if r.status != http.StatusOK {
					t.Errorf("%s %s: status %d, want 200; body %s", r.method, r.path, r.status, r.body)
				}
			}
		})
	}
	wg.Wait()
	for _, d := range doomed {
		if got := s.status(t, "GET", "/v1/auth/me", withToken(d.secret)); got != http.StatusUnauthorized {
			t.Errorf("revoked token: status %d, want 401", got)
		}
	}
	if got := s.status(t, "GET", "/v1/auth/me", withSession(doomedSess)); got != http.StatusUnauthorized {
		t.Errorf("revoked session: status %d, want 401", got)
	}
}
