package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// StartTimeout is how long StartProcess waits for the "listening" log line.
	StartTimeout = 30 * time.Second
	// StopTimeout is how long Stop waits after SIGTERM before it kills the process.
	StopTimeout = 20 * time.Second
)

// BuildGatehouse builds the gatehouse command into dir, with -race when race is set, and
// returns the binary's path. The go tool's output goes to our stderr.
func BuildGatehouse(dir string, race bool) (string, error) {
	binary := filepath.Join(dir, "gatehouse")
	args := []string{"build", "-o", binary}
	if race {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "github.com/gatehouse/gatehouse/cmd/gatehouse")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building gatehouse: %w", err)
	}
	return binary, nil
}

// RunWithGatehouse is the body of a TestMain that needs the gatehouse binary: it builds it
// into a temporary directory (with -race when the tests run with it), sets *binary to its
// path, runs the tests and removes the directory.
//
//	func TestMain(m *testing.M) { os.Exit(testenv.RunWithGatehouse(m, &binary)) }
func RunWithGatehouse(m *testing.M, binary *string) int {
	dir, err := os.MkdirTemp("", "gatehouse-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *binary, err = BuildGatehouse(dir, Race); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// Environ returns our environment without any GATEHOUSE_* variable, plus the variables of
// each layer in turn, a later layer overriding an earlier one. A variable set to "" is
// passed empty, which gatehouse reads as "use the default".
func Environ(layers ...map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEHOUSE_") {
			out = append(out, kv)
		}
	}
	all := map[string]string{
		// Calibrating the failed-login floor verifies the costliest admitted hash of every
		// family (bcrypt at cost 12 and more): a quarter second each, seconds under -race.
		// Tests pad failures by a fixed floor instead; the calibration has tests of its own.
		"GATEHOUSE_LOGIN_FAILURE_FLOOR": "20ms",
	}
	for _, layer := range layers {
		for k, v := range layer {
			all[k] = v
		}
	}
	for k, v := range all {
		out = append(out, k+"="+v)
	}
	return out
}

// Process is one running gatehouse process that logs JSON to stdout.
type Process struct {
	base   string // http://host:port
	cmd    *exec.Cmd
	stdout *logBuffer
	stderr *logBuffer
	done   chan struct{} // closed when the process has exited

	sigOnce  sync.Once
	stopOnce sync.Once
	exitCode int
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

// StartProcess runs binary with exactly the environment env (see Environ), which should
// set GATEHOUSE_ADDR=127.0.0.1:0 and GATEHOUSE_LOG_FORMAT=json, and waits until it logs
// "listening". It fails t with the process's output if the process exits first; if it
// does not listen within StartTimeout, StartProcess stops it and fails t. It registers no
// cleanup: the caller stops the process, normally with Stop in a t.Cleanup.
func StartProcess(t testing.TB, binary string, env []string) *Process {
	t.Helper()
	p := &Process{
		cmd:    exec.Command(binary),
		stdout: &logBuffer{},
		stderr: &logBuffer{},
		done:   make(chan struct{}),
	}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting gatehouse: %v", err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()

	deadline := time.After(StartTimeout)
	for p.base == "" {
		select {
		case <-p.done:
			t.Fatalf("gatehouse exited with code %d before listening\nstdout:\n%s\nstderr:\n%s",
				p.cmd.ProcessState.ExitCode(), p.stdout, p.stderr)
		case <-deadline:
			p.Stop(t)
			t.Fatalf("gatehouse did not log \"listening\" within %v\nstdout:\n%s\nstderr:\n%s",
				StartTimeout, p.stdout, p.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if addr := listeningAddr(p.stdout.String()); addr != "" {
			p.base = "http://" + addr
		}
	}
	return p
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

// Base returns the URL the process listens on, http://host:port.
func (p *Process) Base() string { return p.base }

// Stdout returns what the process has written to stdout so far: its log.
func (p *Process) Stdout() string { return p.stdout.String() }

// Stderr returns what the process has written to stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done returns a channel that is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Logged reports whether the process wrote a log line with message msg.
func (p *Process) Logged(msg string) bool {
	for _, line := range strings.Split(p.stdout.String(), "\n") {
		var rec struct{ Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
			return true
		}
	}
	return false
}

// Terminate sends SIGTERM once, unless the process has already exited, and returns the
// error of sending it; later calls do nothing and return nil. A second SIGTERM could reach
// a process that has stopped listening for it and kill it.
func (p *Process) Terminate() error {
	var err error
	p.sigOnce.Do(func() {
		select {
		case <-p.done: // already gone; Stop reports its exit code
		default:
			err = p.cmd.Process.Signal(syscall.SIGTERM)
		}
	})
	return err
}

// Stop sends SIGTERM (see Terminate) and waits for the process to exit, killing it after
// StopTimeout; it fails t if the signal cannot be sent or the process has to be killed. It
// returns the exit code; calling it again returns the same code.
func (p *Process) Stop(t testing.TB) int {
	t.Helper()
	p.stopOnce.Do(func() {
		if err := p.Terminate(); err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
		select {
		case <-p.done:
		case <-time.After(StopTimeout):
			t.Errorf("gatehouse did not exit within %v of SIGTERM; killing it", StopTimeout)
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		p.exitCode = p.cmd.ProcessState.ExitCode()
	})
	return p.exitCode
}

// Check stops the process (see Stop) and fails t unless it exited 0 without reporting a
// data race.
func (p *Process) Check(t testing.TB) {
	t.Helper()
	code := p.Stop(t)
	stderr := p.Stderr()
	if code != 0 {
		t.Errorf("gatehouse exited with code %d after SIGTERM\nstderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "DATA RACE") {
		t.Errorf("gatehouse reported a data race:\n%s", stderr)
	}
}
