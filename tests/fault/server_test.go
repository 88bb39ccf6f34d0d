package fault_test

import (
	"bytes"
	"encoding/json"
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
)

// server is one running gatehouse process.
type server struct {
	base   string // http://host:port
	cmd    *exec.Cmd
	stdout *logBuffer
	stderr *logBuffer
	done   chan struct{} // closed when the process has exited
	http   *http.Client
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

// serverEnv is our environment without any GATEHOUSE_* variable, plus base settings and env.
func serverEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEHOUSE_") {
			out = append(out, kv)
		}
	}
	all := map[string]string{
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
	for k, v := range env {
		all[k] = v
	}
	for k, v := range all {
		out = append(out, k+"="+v)
	}
	return out
}

// startServer runs gatehouse with env and waits until it listens. Cleanup stops it with
// SIGTERM and fails the test unless it exits 0 without reporting a data race.
func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	s := &server{
		cmd:    exec.Command(binary),
		stdout: &logBuffer{},
		stderr: &logBuffer{},
		done:   make(chan struct{}),
		http:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
	}
	s.cmd.Env = serverEnv(env)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting gatehouse: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })

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

// stop sends SIGTERM, waits for the process to exit (killing it after stopTimeout), and
// fails t on a non-zero exit or a data race.
func (s *server) stop(t *testing.T) {
	s.http.CloseIdleConnections()
	select {
	case <-s.done:
	default:
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			t.Errorf("gatehouse did not exit within %v of SIGTERM; killing it", stopTimeout)
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	stderr := s.stderr.String()
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("gatehouse exited with code %d after SIGTERM\nstderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "DATA RACE") {
		t.Errorf("gatehouse reported a data race:\n%s", stderr)
	}
}
