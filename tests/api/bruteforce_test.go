package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestParallelGuessesAreHeldToTheLimit sends 30, then 100, wrong passwords at once down each
// path that checks a password, with the default throttle: no more are judged (401, or 400 for
// a wrong old password) than the per-user limit of 5, every other one is answered 429, and the
// right password afterwards gets 429 too. The suite runs it on every store profile, so on the
// memory and the Redis throttle stores alike.
func TestParallelGuessesAreHeldToTheLimit(t *testing.T) {
	t.Parallel()
	const limit = 5 // the default GATEHOUSE_THROTTLE_LOGIN_USER, 5/min
	s := startServer(t, map[string]string{
		"GATEHOUSE_THROTTLE_LOGIN_USER":    "",
		"GATEHOUSE_THROTTLE_LOGIN_IP":      "",
		"GATEHOUSE_THROTTLE_LOGIN_ACCOUNT": "",
		// A guess that waits out the hashing queue is answered 503 and gives its charge back
		// (nothing was judged); on a loaded machine that would leave room for the right
		// password. Here every admitted guess is judged.
		"GATEHOUSE_HASH_WAIT": "2m",
	})
	paths := []struct {
		name   string
		judged int // the status of a wrong password judged
		try    func(t *testing.T, a account, tok issuedToken, pw string) *response
	}{
		{"token", http.StatusUnauthorized, func(t *testing.T, a account, _ issuedToken, pw string) *response {
			return s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": a.username, "password": pw}))
		}},
		{"login", http.StatusUnauthorized, func(t *testing.T, a account, _ issuedToken, pw string) *response {
			return s.do(t, "POST", "/v1/auth/login", jsonBody(map[string]string{"username": a.username, "password": pw}))
		}},
		{"basic", http.StatusUnauthorized, func(t *testing.T, a account, _ issuedToken, pw string) *response {
			return s.do(t, "GET", "/v1/auth/me", withBasic(a.username, pw))
		}},
		{"password change", http.StatusBadRequest, func(t *testing.T, _ account, tok issuedToken, pw string) *response {
			return s.do(t, "POST", "/v1/auth/password", withToken(tok.secret), jsonBody(map[string]string{
				"old_password": pw, "new_password": "fresh-Otter-Dance-31"}))
		}},
	}
	for _, p := range paths {
		for _, n := range []int{30, 100} {
			t.Run(fmt.Sprintf("%s/%d", p.name, n), func(t *testing.T) {
				// Each case guesses at its own account; their 5 judged guesses each stay well
				// within the per-network limit of 100 a minute they share.
				t.Parallel()
				a := s.signup(t, fmt.Sprintf("guessed-%d-%s", n, p.name[:5]), "granite-Harbor-4471")
				tok := s.token(t, a)
				statuses := make([]int, n)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						<-start
						statuses[i] = p.try(t, a, tok, fmt.Sprintf("wrong-Guess-%03d", i)).status
					})
				}
				close(start)
				wg.Wait()
				count := map[int]int{}
				for _, st := range statuses {
					count[st]++
				}
				if count[p.judged] > limit || count[p.judged]+count[http.StatusTooManyRequests] != n {
					t.Errorf("%d parallel wrong passwords answered %v; want at most %d × %d and the rest 429",
						n, count, limit, p.judged)
				}
				throttled(t, p.try(t, a, tok, a.password))
			})
		}
	}
}

// TestWrongOldPasswordsAreThrottled: someone holding a stolen token guesses the old
// password of a change; with the default limits the guesses meet 429 before the twelfth,
// and then so does the right password, so the password cannot be changed.
func TestWrongOldPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{
		"GATEHOUSE_THROTTLE_LOGIN_USER":    "",
		"GATEHOUSE_THROTTLE_LOGIN_IP":      "",
		"GATEHOUSE_THROTTLE_LOGIN_ACCOUNT": "",
	})
	a := s.signup(t, "stolen", "granite-Harbor-4471")
	tok, sess := s.token(t, a), s.login(t, a)
	change := func(old string) *response {
		return s.do(t, "POST", "/v1/auth/password", withToken(tok.secret), jsonBody(map[string]string{
			"old_password": old, "new_password": "fresh-Otter-Dance-31"}))
	}
	first := 0
	for i := range 12 {
		r := change(fmt.Sprintf("wrong-Guess-%02d", i))
		if r.status == http.StatusTooManyRequests {
			first = i + 1
			break
		}
		r.fieldErrors(t, "old_password")
	}
	if first == 0 || first >= 12 {
		t.Fatalf("first 429 at guess %d of 12, want one before the twelfth", first)
	}
	throttled(t, change(a.password))
	s.me(t, withSession(sess)) // a change would have revoked every other session
}
