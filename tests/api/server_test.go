package api_test

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// minSecretLen is the shortest secret the leak check looks for: shorter strings (and the
// deliberately weak passwords of the policy tests) could appear in a log line by chance.
const minSecretLen = 12

// server is one running gatehouse process.
type server struct {
	proc *testenv.Process
	base string // http://host:port
	tag  string // makes this server's usernames unique, should stores be shared
	http *http.Client

	mu      sync.Mutex
	secrets map[string]struct{}
}

// serverEnv is the environment of a server: ours without any GATEHOUSE_* variable, then the
// suite's base settings, the profile's, and finally env. A variable set to "" in env is
// passed empty, which gatehouse reads as "use the default".
func serverEnv(t testing.TB, env map[string]string) []string {
	base := map[string]string{
		"GATEHOUSE_ADDR":          "127.0.0.1:0",
		"GATEHOUSE_COOKIE_SECURE": "false",
		// Debug level, so the leak check sees everything the server could log.
		"GATEHOUSE_LOG_LEVEL":  "debug",
		"GATEHOUSE_LOG_FORMAT": "json",
		// Limits the suite never reaches, so only the throttling tests meet them.
		"GATEHOUSE_THROTTLE_LOGIN_USER":    "1000/min",
		"GATEHOUSE_THROTTLE_LOGIN_IP":      "1000/min",
		"GATEHOUSE_THROTTLE_LOGIN_ACCOUNT": "1000/min",
		"GATEHOUSE_THROTTLE_SIGNUP_IP":     "1000/min",
		"GATEHOUSE_THROTTLE_RESET_IP":      "1000/min",
		"GATEHOUSE_THROTTLE_RESET_TARGET":  "1000/min",
	}
	return testenv.Environ(base, profileEnv(t), env)
}

// startServer runs gatehouse with env added to the profile's environment and waits until it
// listens. Cleanup stops it with SIGTERM and fails the test if it does not exit 0, reports a
// data race, or logged any secret the test's requests carried or received.
func startServer(t testing.TB, env map[string]string) *server {
	t.Helper()
	s := &server{
		secrets: map[string]struct{}{},
		http: &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: 8},
			Timeout:   30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	t.Logf("store profile: %s", current.name)
	s.tag = randomTag()
	s.proc = testenv.StartProcess(t, binary, serverEnv(t, env))
	s.base = s.proc.Base()
	t.Cleanup(func() { s.check(t) })
	return s
}

// randomTag returns six random lower-case letters and digits.
func randomTag() string {
	// Letters the suite's passwords (word-Word-1234) hardly use: a tag drawn from all letters
	// and digits could make a username similar enough to its password for the similarity rule
	// to refuse the signup (it did, about once in 70,000 pairs); with these, never in 1.4
	// million pairs tried. Still a million tags.
	const alphabet = "fgjkqvwxyz"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// name returns a username made from base that no other server of this run uses, so that the
// suite can run against stores that outlive a server or are shared between servers.
func (s *server) name(base string) string { return base + "." + s.tag }

// terminate sends SIGTERM once, unless the process has already exited.
func (s *server) terminate(t testing.TB) {
	if err := s.proc.Terminate(); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
}

// stop closes the client's idle connections, sends SIGTERM and waits for the process to
// exit, killing it after testenv.StopTimeout. It returns the exit code; calling it again
// returns the same code.
func (s *server) stop(t testing.TB) int {
	s.http.CloseIdleConnections()
	return s.proc.Stop(t)
}

// check stops the server and fails t on a non-zero exit, a data race, or a leaked secret.
func (s *server) check(t testing.TB) {
	s.stop(t)
	s.proc.Check(t)
	stdout, stderr := s.proc.Stdout(), s.proc.Stderr()
	s.mu.Lock()
	defer s.mu.Unlock()
	for secret := range s.secrets {
		if strings.Contains(stdout, secret) || strings.Contains(stderr, secret) {
			t.Errorf("gatehouse logged a secret (%.8s…)", secret)
		}
	}
}

// secret records a value the server must never log.
func (s *server) secret(v string) {
	if len(v) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[v] = struct{}{}
}
