package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// proc is a server the bench started on a loopback port.
type proc struct {
	name string
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
}

// freeAddr returns a loopback address nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// buildGatehouse builds the real server binary into dir.
func buildGatehouse(dir string) (string, error) {
	bin := filepath.Join(dir, "gatehouse")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gatehouse")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/gatehouse (run the bench from the repository root): %w", err)
	}
	return bin, nil
}

// start runs bin with args and env added to this process's environment, on a fresh loopback
// address given as GATEHOUSE_ADDR, and waits until path answers 200. It reports how
// long that took from the start of the process. The server's standard output goes to the
// bench's standard error, or to the null device when quiet is false (Gatehouse's default
// access log writes a line per request there).
func start(name, bin string, args []string, env []string, path string, quiet bool) (*proc, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), env...), "GATEHOUSE_ADDR="+addr)
	cmd.Stderr = os.Stderr
	if quiet {
		cmd.Stdout = os.Stderr
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &proc{name: name, cmd: cmd, base: "http://" + addr}
	client := &http.Client{Timeout: time.Second}
	deadline := began.Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(p.base + path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(began), nil
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	p.stop()
	return nil, 0, fmt.Errorf("%s did not answer %s within 60s", name, path)
}

// stop ends the server with SIGTERM, then SIGKILL if it lingers.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
