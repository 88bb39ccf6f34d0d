package api_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// revocationWorkers is how many goroutines keep using the doomed credentials at once.
const revocationWorkers = 8

// revocationProbe is one request a worker repeats: an authenticated GET /v1/auth/me, or a login.
type revocationProbe struct {
	name         string
	method, path string
	opts         []opt
	// mint marks a login: a 200 hands out a token, which must die with the revocation too.
	mint bool
}

// revocationAttempt is one request a worker made.
type revocationAttempt struct {
	probe  int // index into the run's probes
	start  time.Time
	status int
	err    error
	minted string // the token a successful mint probe handed out
}

// revocationRun hammers the server with doomed probes (revocationWorkers goroutines, spread
// over them) and one goroutine per kept probe, runs revoke once every worker has succeeded
// a few times, and keeps hammering until every worker has made a few requests that
// started after revoke returned.
type revocationRun struct {
	s      *server
	doomed []revocationProbe
	kept   []revocationProbe
}

func (run revocationRun) check(t *testing.T, revoke func(t *testing.T)) {
	t.Helper()
	const (
		maxRounds    = 5000 // the bound on each worker, should the stop never come
		warmUp       = 5    // successes each worker has before the revoke, so it lands mid-stream
		afterRevoke  = 5    // requests each worker makes once the revoke has returned
		phaseTimeout = 60 * time.Second
	)
	probes := append(append([]revocationProbe(nil), run.doomed...), run.kept...)
	workers := revocationWorkers + len(run.kept)
	probeOf := func(w int) int {
		if w < revocationWorkers {
			return w % len(run.doomed)
		}
		return len(run.doomed) + w - revocationWorkers
	}

	var (
		revokedAt atomic.Pointer[time.Time]
		stop      = make(chan struct{})
		warm      = make([]atomic.Int32, workers) // successes before the revoke
		late      = make([]atomic.Int32, workers) // requests started after the revoke returned
		log       = make([][]revocationAttempt, workers)
		wg        sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			p := probes[probeOf(w)]
			for range maxRounds {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				r, err := run.s.sendUnchecked(p.method, p.path, p.opts...)
				a := revocationAttempt{probe: probeOf(w), start: start, err: err}
				if err == nil {
					a.status = r.status
					if p.mint && r.status == http.StatusOK {
						var m struct{ Token string }
						_ = json.Unmarshal(r.body, &m)
						a.minted = m.Token
					}
				}
				log[w] = append(log[w], a)
				if at := revokedAt.Load(); at != nil && start.After(*at) {
					late[w].Add(1)
				} else if at == nil && a.status == http.StatusOK {
					warm[w].Add(1)
				}
			}
		})
	}
	halt := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer halt()

	waitFor := func(what string, cond func(w int) bool) {
		t.Helper()
		deadline := time.Now().Add(phaseTimeout)
		for w := 0; w < workers; {
			if cond(w) {
				w++
				continue
			}
			if time.Now().After(deadline) {
				t.Fatalf("worker %d (%s) did not %s within %v", w, probes[probeOf(w)].name, what, phaseTimeout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("authenticate before the revoke", func(w int) bool { return warm[w].Load() >= warmUp })
	revoke(t)
	at := time.Now()
	revokedAt.Store(&at)
	waitFor("make its requests after the revoke", func(w int) bool { return late[w].Load() >= afterRevoke })
	halt()

	// Report at most a few failures of each kind: one broken rule fails hundreds of requests.
	failures := map[string]int{}
	fail := func(kind, format string, args ...any) {
		t.Helper()
		if failures[kind]++; failures[kind] <= 3 {
			t.Errorf(format, args...)
		}
	}
	var minted []string
	for w := range workers {
		for _, a := range log[w] {
			p := probes[a.probe]
			kept := a.probe >= len(run.doomed)
			since := a.start.Sub(at)
			switch {
			case a.err != nil:
				fail(p.name+" error", "%s: request started %v from the revoke failed: %v", p.name, since, a.err)
			case a.status >= 500 && a.status != http.StatusServiceUnavailable:
				fail(p.name+" 5xx", "%s: status %d at %v from the revoke", p.name, a.status, since)
			case kept && a.status != http.StatusOK:
				fail(p.name+" kept", "%s (kept): status %d at %v from the revoke, want 200", p.name, a.status, since)
			case !kept && a.status == http.StatusOK && a.start.After(at):
				fail(p.name+" revoked", "%s: authenticated by a request started %v after the revoke returned", p.name, since)
			}
			if a.minted != "" {
				minted = append(minted, a.minted)
			}
		}
	}
	for kind, n := range failures {
		if n > 3 {
			t.Errorf("%s: %d failures in all", kind, n)
		}
	}
	// A credential made with the old password while the revoke ran must be dead too.
	for _, m := range minted {
		if r, err := run.s.sendUnchecked("GET", "/v1/auth/me", withToken(m)); err != nil || r.status != http.StatusUnauthorized {
			status := 0
			if r != nil {
				status = r.status
			}
			t.Errorf("a token minted during the revoke: status %d (%v) after it returned, want 401", status, err)
		}
	}
	// And the doomed credentials stay dead once the dust settles.
	for _, p := range run.doomed {
		if p.mint {
			continue
		}
		if got := run.s.status(t, p.method, p.path, p.opts...); got != http.StatusUnauthorized {
			t.Errorf("%s after the run: status %d, want 401", p.name, got)
		}
	}
	t.Logf("%d requests, %d tokens minted", attemptCount(log), len(minted))
}

func attemptCount(log [][]revocationAttempt) int {
	n := 0
	for _, l := range log {
		n += len(l)
	}
	return n
}

// probeMe is the probe GET /v1/auth/me with the given credential.
func probeMe(name string, cred opt) revocationProbe {
	return revocationProbe{name: name, method: "GET", path: "/v1/auth/me", opts: []opt{cred}}
}

// TestRevocationUnderConcurrentUse: once a logout, logout-all or password change has
// returned, no request that starts later authenticates with a credential it revoked, even
// while other requests using that credential (and writing its last-used time, with a zero
// touch interval) are in flight.
func TestRevocationUnderConcurrentUse(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{
		"GATEHOUSE_TOUCH_INTERVAL": "0s",
		// Password probes queue for hashing slots; let them wait rather than get 503.
		"GATEHOUSE_HASH_WAIT": "60s",
	})
	const pw = "harbour-Lantern-5127"

	t.Run("token logout", func(t *testing.T) {
		a := s.signup(t, "revoke-token", pw)
		tok, other := s.token(t, a), s.token(t, a)
		revocationRun{s: s,
			doomed: []revocationProbe{probeMe("token", withToken(tok.secret))},
			kept:   []revocationProbe{probeMe("another token", withToken(other.secret))},
		}.check(t, func(t *testing.T) {
			s.do(t, "POST", "/v1/auth/logout", withToken(tok.secret)).expect(t, http.StatusNoContent)
		})
	})

	t.Run("session logout", func(t *testing.T) {
		a := s.signup(t, "revoke-session", pw)
		sess, other := s.login(t, a), s.login(t, a)
		revocationRun{s: s,
			doomed: []revocationProbe{probeMe("session", withSession(sess))},
			kept:   []revocationProbe{probeMe("another session", withSession(other))},
		}.check(t, func(t *testing.T) {
			s.do(t, "POST", "/v1/auth/logout", withSession(sess)).expect(t, http.StatusNoContent)
		})
	})

	t.Run("token revoked by id", func(t *testing.T) {
		a := s.signup(t, "revoke-by-id", pw)
		tok, caller := s.token(t, a), s.token(t, a)
		sess := s.login(t, a)
		sessID := s.sessionID(t, sess)
		revocationRun{s: s,
			doomed: []revocationProbe{probeMe("token", withToken(tok.secret)), probeMe("session", withSession(sess))},
			kept:   []revocationProbe{probeMe("caller", withToken(caller.secret))},
		}.check(t, func(t *testing.T) {
			s.do(t, "DELETE", "/v1/auth/tokens/"+tok.id, withToken(caller.secret)).expect(t, http.StatusNoContent)
			s.do(t, "DELETE", "/v1/auth/sessions/"+sessID, withToken(caller.secret)).expect(t, http.StatusNoContent)
		})
	})

	t.Run("logout-all", func(t *testing.T) {
		a := s.signup(t, "revoke-all", pw)
		b := s.signup(t, "revoke-all-bystander", pw)
		caller := s.token(t, a)
		revocationRun{s: s,
			doomed: []revocationProbe{
				probeMe("token 1", withToken(s.token(t, a).secret)),
				probeMe("token 2", withToken(s.token(t, a).secret)),
				probeMe("session 1", withSession(s.login(t, a))),
				probeMe("session 2", withSession(s.login(t, a))),
				probeMe("calling token", withToken(caller.secret)),
			},
			kept: []revocationProbe{probeMe("another user's token", withToken(s.token(t, b).secret))},
		}.check(t, func(t *testing.T) {
			s.do(t, "POST", "/v1/auth/logout/all", withToken(caller.secret)).expect(t, http.StatusNoContent)
		})
	})

	t.Run("password change", func(t *testing.T) {
		a := s.signup(t, "revoke-password", pw)
		caller := s.token(t, a)
		old := jsonBody(map[string]string{"username": a.username, "password": a.password})
		revocationRun{s: s,
			doomed: []revocationProbe{
				probeMe("token", withToken(s.token(t, a).secret)),
				probeMe("session", withSession(s.login(t, a))),
				probeMe("basic with the old password", withBasic(a.username, a.password)),
				{name: "token login with the old password", method: "POST", path: "/v1/auth/token", opts: []opt{old}, mint: true},
			},
			kept: []revocationProbe{probeMe("calling token", withToken(caller.secret))},
		}.check(t, func(t *testing.T) {
			s.do(t, "POST", "/v1/auth/password", withToken(caller.secret), jsonBody(map[string]string{
				"old_password": a.password, "new_password": "meadow-Quartz-9043",
			})).expect(t, http.StatusNoContent)
		})
		s.me(t, withBasic(a.username, "meadow-Quartz-9043"))
	})

	// Logins with the right password race the deletion: every token one of them minted must
	// be dead once the deletion has returned.
	t.Run("account deletion", func(t *testing.T) {
		a := s.signup(t, "revoke-delete", pw)
		b := s.signup(t, "revoke-delete-bystander", pw)
		caller := s.token(t, a)
		login := jsonBody(map[string]string{"username": a.username, "password": a.password})
		revocationRun{s: s,
			doomed: []revocationProbe{
				probeMe("token", withToken(s.token(t, a).secret)),
				probeMe("session", withSession(s.login(t, a))),
				probeMe("basic", withBasic(a.username, a.password)),
				{name: "token login", method: "POST", path: "/v1/auth/token", opts: []opt{login}, mint: true},
			},
			kept: []revocationProbe{probeMe("another user's token", withToken(s.token(t, b).secret))},
		}.check(t, func(t *testing.T) {
			s.do(t, "DELETE", "/v1/auth/me", withToken(caller.secret), jsonBody(map[string]string{
				"password": a.password,
			})).expect(t, http.StatusNoContent)
		})
	})
}
