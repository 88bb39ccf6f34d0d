package api_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 20 * time.Second
	// minSecretLen is the shortest secret the leak check looks for: shorter strings (and the
	// deliberately weak passwords of the policy tests) could appear in a log line by chance.
	minSecretLen = 12
)

// server is one running gatehouse process.
type server struct {
	base   string // http://host:port
	tag    string // makes this server's usernames unique, should stores be shared
	cmd    *exec.Cmd
	stdout *logBuffer
	stderr *logBuffer
	done   chan struct{} // closed when the process has exited
	http   *http.Client

	sigOnce  sync.Once
	stopOnce sync.Once
	exitCode int

	mu      sync.Mutex
	secrets map[string]struct{}
}

// logBuffer collects a process's output; it is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serverEnv is the environment of a server: ours without any GATEHOUSE_* variable, then the
// suite's base settings, the profile's, and finally env. A variable set to "" in env is
// passed empty, which gatehouse reads as "use the default".
func serverEnv(t testing.TB, env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEHOUSE_") {
			out = append(out, kv)
		}
	}
	all := map[string]string{
		"GATEHOUSE_ADDR":          "127.0.0.1:0",
		"GATEHOUSE_COOKIE_SECURE": "false",
		// Debug level, so the leak check sees everything the server could log.
		"GATEHOUSE_LOG_LEVEL":  "debug",
		"GATEHOUSE_LOG_FORMAT": "json",
		// Limits the suite never reaches, so only the throttling tests meet them.
		"GATEHOUSE_THROTTLE_LOGIN_USER": "1000/min",
		"GATEHOUSE_THROTTLE_LOGIN_IP":   "1000/min",
		"GATEHOUSE_THROTTLE_SIGNUP_IP":  "1000/min",
	}
	for k, v := range profileEnv(t) {
		all[k] = v
	}
	for k, v := range env {
		all[k] = v
	}
	for k, v := range all {
		out = append(out, k+"="+v)
	}
	return out
}

// startServer runs gatehouse with env added to the profile's environment and waits until it
// listens. Cleanup stops it with SIGTERM and fails the test if it does not exit 0, reports a
// data race, or logged any secret the test's requests carried or received.
func startServer(t testing.TB, env map[string]string) *server {
	t.Helper()
	s := &server{
		cmd:     exec.Command(binary),
		stdout:  &logBuffer{},
		stderr:  &logBuffer{},
		done:    make(chan struct{}),
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
	s.cmd.Env = serverEnv(t, env)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting gatehouse: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.check(t) })

	deadline := time.After(startTimeout)
	for s.base == "" {
		select {
		case <-s.done:
			t.Fatalf("gatehouse exited with code %d before listening\nstdout:\n%s\nstderr:\n%s",
				s.cmd.ProcessState.ExitCode(), s.stdout, s.stderr)
		case <-deadline:
			t.Fatalf("gatehouse did not log \"listening\" within %v\nstdout:\n%s", startTimeout, s.stdout)
		case <-time.After(5 * time.Millisecond):
		}
		if addr := listeningAddr(s.stdout.String()); addr != "" {
			s.base = "http://" + addr
		}
	}
	return s
}

// randomTag returns six random lower-case letters and digits.
func randomTag() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// name returns a username made from base that no other server of this run uses, so that the
// suite can run against stores that outlive a server or are shared between servers.
func (s *server) name(base string) string { return base + "." + s.tag }

// listeningAddr returns the addr of the "listening" log line, or "".
func listeningAddr(log string) string {
	for _, line := range strings.Split(log, "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
			return rec.Addr
		}
	}
	return ""
}

// logged reports whether the server wrote a log line with message msg.
func (s *server) logged(msg string) bool {
	for _, line := range strings.Split(s.stdout.String(), "\n") {
		var rec struct{ Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
			return true
		}
	}
	return false
}

// terminate sends SIGTERM once, unless the process has already exited. A second SIGTERM
// could reach a process that has stopped listening for it and kill it.
func (s *server) terminate(t testing.TB) {
	s.sigOnce.Do(func() {
		select {
		case <-s.done: // already gone; check reports its exit code
		default:
			if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Errorf("SIGTERM: %v", err)
			}
		}
	})
}

// stop sends SIGTERM and waits for the process to exit, killing it after stopTimeout. It
// returns the exit code; calling it again returns the same code.
func (s *server) stop(t testing.TB) int {
	s.stopOnce.Do(func() {
		s.http.CloseIdleConnections()
		s.terminate(t)
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			t.Errorf("gatehouse did not exit within %v of SIGTERM; killing it", stopTimeout)
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		s.exitCode = s.cmd.ProcessState.ExitCode()
	})
	return s.exitCode
}

// check stops the server and fails t on a non-zero exit, a data race, or a leaked secret.
func (s *server) check(t testing.TB) {
	code := s.stop(t)
	stdout, stderr := s.stdout.String(), s.stderr.String()
	if code != 0 {
		t.Errorf("gatehouse exited with code %d after SIGTERM\nstderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "DATA RACE") {
		t.Errorf("gatehouse reported a data race:\n%s", stderr)
	}
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
