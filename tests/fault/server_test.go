package fault_test

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// server is one running gatehouse process.
type server struct {
	proc *testenv.Process
	base string // http://host:port
	http *http.Client
}

// serverEnv is our environment without any GATEHOUSE_* variable, plus base settings and env.
func serverEnv(env map[string]string) []string {
	base := map[string]string{
		"GATEHOUSE_ADDR":          "127.0.0.1:0",
		"GATEHOUSE_COOKIE_SECURE": "false",
		"GATEHOUSE_LOG_FORMAT":    "json",
		// Limits the load never reaches: only the stores may refuse a request here.
		"GATEHOUSE_THROTTLE_LOGIN_USER": "1000/min",
		"GATEHOUSE_THROTTLE_LOGIN_IP":   "1000/min",
		"GATEHOUSE_THROTTLE_SIGNUP_IP":  "1000/min",
		// Hashing slots for every request the tests have in flight at once: a request
		// waiting out GATEHOUSE_HASH_WAIT also gets 503, which would blur the verdict on
		// the stores. (Under -race one argon2id hash takes about half a second.)
		"GATEHOUSE_HASH_CONCURRENCY": "16",
	}
	return testenv.Environ(base, env)
}

// startServer runs gatehouse with env and waits until it listens. Cleanup stops it with
// SIGTERM and fails the test unless it exits 0 without reporting a data race.
func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	s := &server{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	s.proc = testenv.StartProcess(t, binary, serverEnv(env))
	s.base = s.proc.Base()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop closes the client's idle connections, sends SIGTERM, waits for the process to exit
// (killing it after testenv.StopTimeout), and fails t on a non-zero exit or a data race.
func (s *server) stop(t *testing.T) {
	s.http.CloseIdleConnections()
	s.proc.Check(t)
}
