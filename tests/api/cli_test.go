package api_test

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// cli runs gatehouse's admin commands against the stores of a running server.
type cli struct {
	env    map[string]string
	server *server
}

// newCLI starts a server on the current profile and returns a CLI over the same stores. The
// memory profile is skipped: a server's memory is out of any other process's reach.
func newCLI(t *testing.T) *cli {
	t.Helper()
	if current.name == "memory" {
		t.Skip("admin commands need a shared store; the memory profile has none")
	}
	env := profileEnv(t)
	return &cli{env: env, server: startServer(t, env)}
}

// run runs gatehouse with args and stdin and returns its exit code and output. The output
// must never hold a secret the test used, other than what the command exists to print.
func (c *cli) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = testenv.Environ(c.env)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("gatehouse %v: %v", args, err)
	}
	if stdin != "" && strings.Contains(out.String()+errOut.String(), strings.TrimSpace(stdin)) {
		t.Errorf("gatehouse %v echoed the password it read", args)
	}
	return code, out.String(), errOut.String()
}

// must runs a command that must succeed and returns its standard output.
func (c *cli) must(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, stdout, stderr := c.run(t, stdin, args...)
	if code != 0 {
		t.Fatalf("gatehouse %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

func TestCLIUserLifecycle(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	s := c.server
	name, pw, newPW := s.name("cli"), "plum-Orchard-7391", "quartz-Meadow-5820"
	s.secret(pw)
	s.secret(newPW)

	c.must(t, pw+"\n", "user", "create", name, "--email", "cli@example.com", "--password-stdin")
	a := account{username: name, password: pw}
	sess := s.login(t, a)
	if me := s.me(t, withBasic(name, pw)); me["email"] != "cli@example.com" {
		t.Errorf("me = %v, want the email given to user create", me)
	}
	if out := c.must(t, "", "user", "list"); !strings.Contains(out, name) || !strings.Contains(out, "cli@example.com") {
		t.Errorf("user list does not show the new user:\n%s", out)
	}

	secret := strings.TrimSpace(c.must(t, "", "token", "create", "--user", name, "--name", "ci"))
	s.secret(secret)
	if me := s.me(t, withToken(secret)); me["username"] != name || authOf(me)["method"] != "token" {
		t.Errorf("me = %v, want %s by token", me, name)
	}
	if out := c.must(t, "", "token", "list", "--user", name); !strings.Contains(out, "ci") || strings.Contains(out, secret) {
		t.Errorf("token list must show the token, never its secret:\n%s", out)
	}

	// Deactivation ends everything at once, on the server too.
	c.must(t, "", "user", "deactivate", name)
	for what, o := range map[string]opt{"token": withToken(secret), "basic": withBasic(name, pw)} {
		if got := s.status(t, "GET", "/v1/auth/me", o); got != http.StatusUnauthorized {
			t.Errorf("%s after deactivate: %d, want 401", what, got)
		}
	}
	if got := s.status(t, "GET", "/v1/auth/me", withSession(sess)); got == http.StatusOK {
		t.Errorf("session after deactivate: %d, want it gone", got)
	}
	c.must(t, "", "user", "activate", name)
	s.me(t, withBasic(name, pw))

	// A new password revokes the tokens and sessions made with the old one.
	tok := s.token(t, a)
	c.must(t, newPW+"\n", "user", "set-password", name, "--password-stdin")
	if got := s.status(t, "GET", "/v1/auth/me", withToken(tok.secret)); got != http.StatusUnauthorized {
		t.Errorf("token after set-password: %d, want 401", got)
	}
	if got := s.status(t, "GET", "/v1/auth/me", withBasic(name, pw)); got != http.StatusUnauthorized {
		t.Errorf("old password after set-password: %d, want 401", got)
	}
	a.password = newPW

	// Revoking sessions logs out every browser but keeps tokens.
	s1, s2, keep := s.login(t, a), s.login(t, a), s.token(t, a)
	if out := c.must(t, "", "sessions", "revoke", "--user", name); !strings.Contains(out, "revoked 2 sessions") {
		t.Errorf("sessions revoke said:\n%s", out)
	}
	for _, sess := range []session{s1, s2} {
		if got := s.status(t, "GET", "/v1/auth/me", withSession(sess)); got == http.StatusOK {
			t.Errorf("a session survived sessions revoke")
		}
	}
	s.me(t, withToken(keep.secret))
	c.must(t, "", "token", "revoke", "--user", name, keep.id)
	if got := s.status(t, "GET", "/v1/auth/me", withToken(keep.secret)); got != http.StatusUnauthorized {
		t.Errorf("token after token revoke: %d, want 401", got)
	}

	// Deletion needs --yes, then ends everything at once and frees the name.
	sess, tok = s.login(t, a), s.token(t, a)
	if code, _, stderr := c.run(t, "", "user", "delete", name); code != 2 || !strings.Contains(stderr, "--yes") {
		t.Errorf("user delete without --yes: exit %d, stderr %q; want 2 asking for --yes", code, stderr)
	}
	s.me(t, withToken(tok.secret))
	c.must(t, "", "user", "delete", name, "--yes")
	for what, o := range map[string]opt{"token": withToken(tok.secret), "basic": withBasic(name, newPW), "session": withSession(sess)} {
		if got := s.status(t, "GET", "/v1/auth/me", o); got != http.StatusUnauthorized {
			t.Errorf("%s after user delete: %d, want 401", what, got)
		}
	}
	if out := c.must(t, "", "user", "list"); strings.Contains(out, name) {
		t.Errorf("user list still shows the deleted user:\n%s", out)
	}
	s.signup(t, "cli", pw)
	s.me(t, withBasic(name, pw))
}

func TestCLIExitCodes(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	name := c.server.name("taken")
	c.must(t, "plum-Orchard-7391\n", "user", "create", name, "--password-stdin")
	tests := []struct {
		name   string
		stdin  string
		args   []string
		want   int
		stderr string // what the message must say; "" for no check
	}{
		{"taken username, other case", "plum-Orchard-7391\n", []string{"user", "create", strings.ToUpper(name), "--password-stdin"}, 3, "already exists"},
		{"common password", "password123\n", []string{"user", "create", c.server.name("weak"), "--password-stdin"}, 3, "password: This password is too common."},
		{"no terminal and no --password-stdin", "", []string{"user", "create", c.server.name("x")}, 2, ""},
		{"unknown user", "", []string{"user", "deactivate", c.server.name("nobody")}, 4, "gatehouse: no such user\n"},
		{"delete an unknown user", "", []string{"user", "delete", c.server.name("nobody"), "--yes"}, 4, "gatehouse: no such user\n"},
		{"delete without --yes", "", []string{"user", "delete", name}, 2, "--yes"},
		{"unknown token", "", []string{"token", "revoke", "--user", name, "00000000000000000000000000000000"}, 4, "no such token"},
		{"token of an unknown user", "", []string{"token", "create", "--user", c.server.name("nobody")}, 4, "gatehouse: no such user\n"},
		{"revoke a token of an unknown user", "", []string{"token", "revoke", "--user", c.server.name("nobody"), "00000000000000000000000000000000"}, 4, "gatehouse: no such user\n"},
		{"missing --user", "", []string{"sessions", "revoke"}, 2, ""},
		{"missing argument", "", []string{"user", "activate"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, stdout, stderr := c.run(t, tt.stdin, tt.args...); code != tt.want || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("gatehouse %s: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s",
					strings.Join(tt.args, " "), code, tt.want, tt.stderr, stdout, stderr)
			}
		})
	}
}

func TestCLIConfigCheckRefusesMistakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    map[string]string
		stderr string
	}{
		{"misspelled variable", map[string]string{"GATEHOUSE_COOKIESECURE": "false"}, "did you mean GATEHOUSE_COOKIE_SECURE?"},
		{"listen address without a port", map[string]string{"GATEHOUSE_ADDR": "localhost"}, "GATEHOUSE_ADDR"},
		{"port out of range", map[string]string{"GATEHOUSE_ADDR": ":99999"}, "GATEHOUSE_ADDR"},
	}
	for _, tt := range tests {
		for _, args := range [][]string{{"config", "check"}, {"serve"}} {
			t.Run(tt.name+"/"+strings.Join(args, " "), func(t *testing.T) {
				c := &cli{env: tt.env}
				code, stdout, stderr := c.run(t, "", args...)
				if code != 2 || !strings.Contains(stderr, tt.stderr) {
					t.Errorf("gatehouse %s: exit %d, want 2 and %q\nstdout:\n%s\nstderr:\n%s",
						strings.Join(args, " "), code, tt.stderr, stdout, stderr)
				}
			})
		}
	}
}
