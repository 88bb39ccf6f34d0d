package api_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestShutdownOnSIGTERM(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	// Start a signup whose body waits for "100 Continue": once that arrives the handler is
	// running and reading, so the request is in flight when SIGTERM comes.
	const password = "autumn-Beacon-3817"
	body := `{"username":"` + s.name("latecomer") + `","password":"` + password + `"}`
	s.secret(password)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "POST /v1/auth/signup HTTP/1.1\r\nHost: gatehouse\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", len(body))
	replies := bufio.NewReader(conn)
	if res, err := http.ReadResponse(replies, nil); err != nil || res.StatusCode != http.StatusContinue {
		t.Fatalf("waiting for 100 Continue: %v %v", res, err)
	}

	s.terminate(t)
	for deadline := time.Now().Add(10 * time.Second); !s.proc.Logged("shutting down"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no \"shutting down\" log line after SIGTERM:\n%s", s.proc.Stdout())
		}
	}

	t.Run("lets an in-flight request finish", func(t *testing.T) {
		if _, err := fmt.Fprint(conn, body); err != nil {
			t.Fatalf("sending the body: %v", err)
		}
		res, err := http.ReadResponse(replies, nil)
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Errorf("status %d, want 201", res.StatusCode)
		}
	})

	t.Run("exits 0 and logs stopped", func(t *testing.T) {
		if code := s.stop(t); code != 0 {
			t.Errorf("exit code %d, want 0; stderr:\n%s", code, s.proc.Stderr())
		}
		if !s.proc.Logged("stopped") {
			t.Errorf("no \"stopped\" log line:\n%s", s.proc.Stdout())
		}
	})
}

func TestInvalidConfigurationExits2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, value string }{
		{"GATEHOUSE_AUTHENTICATORS", "bogus"},
		{"GATEHOUSE_AUTHENTICATORS", "token,token"},
		{"GATEHOUSE_TOKEN_TTL", "forever"},
		{"GATEHOUSE_COOKIE_SECURE", "maybe"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary)
			cmd.Env = serverEnv(t, map[string]string{tc.name: tc.value})
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("exit: %v, want code 2; stderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.name) {
				t.Errorf("stderr does not name %s:\n%s", tc.name, stderr.String())
			}
		})
	}
}
