package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// typist is a prompter fed by a test: stdin holds what --password-stdin reads, and secrets
// what the operator types at each prompt.
type typist struct {
	io.Reader
	tty     bool
	secrets []string
}

func (t *typist) IsTerminal() bool { return t.tty }

func (t *typist) ReadSecret(string) (string, error) {
	if len(t.secrets) == 0 {
		return "", io.ErrUnexpectedEOF
	}
	s := t.secrets[0]
	t.secrets = t.secrets[1:]
	return s, nil
}

// runCLI runs a command line and returns its exit code and output.
func runCLI(t *testing.T, args []string, env map[string]string, in *typist) (code int, stdout, stderr string) {
	t.Helper()
	if in == nil {
		in = &typist{Reader: strings.NewReader("")}
	}
	var out, errOut strings.Builder
	code = execute(context.Background(), args, environOf(env), in, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"unknown command", []string{"frobnicate"}, nil, exitUsage},
		{"bad configuration", []string{"serve"}, map[string]string{"GATEHOUSE_TOKEN_TTL": "x"}, exitUsage},
		{"bad configuration of the default command", nil, map[string]string{"GATEHOUSE_TOKEN_TTL": "x"}, exitUsage},
		{"unknown flag", []string{"serve", "--nope"}, nil, exitUsage},
		{"bad flag value", []string{"config", "check", "--token-ttl", "soon"}, nil, exitUsage},
		{"help", []string{"help"}, nil, exitOK},
		{"serve help", []string{"serve", "--help"}, nil, exitOK},
		{"version", []string{"version"}, nil, exitOK},
		{"config check", []string{"config", "check"}, nil, exitOK},
		{"config check of a listen address without a port", []string{"config", "check"}, map[string]string{"GATEHOUSE_ADDR": "localhost"}, exitUsage},
		{"config check of a port out of range", []string{"config", "check"}, map[string]string{"GATEHOUSE_ADDR": ":99999"}, exitUsage},
		{"serve on a port out of range", []string{"serve"}, map[string]string{"GATEHOUSE_ADDR": ":99999"}, exitUsage},
		{"migrate without an action", []string{"migrate"}, nil, exitUsage},
		{"migrate without a DSN", []string{"migrate", "status"}, nil, exitUsage},
		{"extra argument", []string{"version", "now"}, nil, exitUsage},
		{"user create on the memory store", []string{"user", "create", "alice", "--password-stdin"}, nil, exitUsage},
		{"token create without --user", []string{"token", "create", "--name", "ci"}, nil, exitUsage},
		{"sessions revoke on the memory store", []string{"sessions", "revoke", "--user", "alice"}, nil, exitUsage},
		{"sessions list on the memory store", []string{"sessions", "list", "--user", "alice", "--json"}, nil, exitUsage},
		{"sessions list without --user", []string{"sessions", "list"}, nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &typist{Reader: strings.NewReader("plum-Orchard-7391\n")}
			if got, stdout, stderr := runCLI(t, tt.args, tt.env, in); got != tt.want {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tt.want, stdout, stderr)
			}
		})
	}
}

// Every command has --help, and it exits 0 without touching a store.
func TestEveryCommandHasHelp(t *testing.T) {
	root := newRootCommand(&console{})
	for _, c := range root.Commands() {
		paths := [][]string{{c.Name()}}
		for _, sub := range c.Commands() {
			paths = append(paths, []string{c.Name(), sub.Name()})
		}
		for _, p := range paths {
			code, stdout, stderr := runCLI(t, append(p, "--help"), nil, nil)
			if code != exitOK || !strings.Contains(stdout, "Usage:") {
				t.Errorf("gatehouse %s --help: exit %d, stdout:\n%s\nstderr:\n%s", strings.Join(p, " "), code, stdout, stderr)
			}
		}
	}
}

func TestConfigCheckMasksSecrets(t *testing.T) {
	env := map[string]string{
		"GATEHOUSE_MYSQL_DSN":  "gatehouse:hunter2@tcp(db:3306)/gatehouse",
		"GATEHOUSE_USER_STORE": "mysql",
		"GATEHOUSE_REDIS_URL":  "redis://:s3cret@cache:6379/0",
	}
	code, stdout, stderr := runCLI(t, []string{"config", "check", "--token-ttl", "2h"}, env, nil)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, secret := range []string{"hunter2", "s3cret"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("config check printed the secret %q:\n%s", secret, stdout)
		}
	}
	for _, want := range []string{
		"GATEHOUSE_TOKEN_TTL  2h",
		"GATEHOUSE_USER_STORE  mysql",
		"GATEHOUSE_MYSQL_DSN  ********",
		"GATEHOUSE_ADDR  127.0.0.1:8080",
		"configuration is valid",
	} {
		fields := strings.Fields(want)
		found := false
		for _, line := range strings.Split(stdout, "\n") {
			if got := strings.Fields(line); len(got) >= len(fields) && strings.Join(got[:len(fields)], " ") == strings.Join(fields, " ") {
				found = true
			}
		}
		if !found {
			t.Errorf("config check output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stdout, "flag") || !strings.Contains(stdout, "env") || !strings.Contains(stdout, "default") {
		t.Errorf("config check does not say where values came from:\n%s", stdout)
	}

	env["GATEHOUSE_SESSION_IDLE_TIMEOUT"] = "0"
	code, _, stderr = runCLI(t, []string{"config", "check"}, env, nil)
	if code != exitUsage || !strings.Contains(stderr, "GATEHOUSE_SESSION_IDLE_TIMEOUT") {
		t.Errorf("invalid configuration: exit %d, stderr %q; want 2 naming the setting", code, stderr)
	}

	delete(env, "GATEHOUSE_SESSION_IDLE_TIMEOUT")
	// Secrets given by flag, and a password in an address list that is no list of host:port,
	// are masked too; the check then fails naming the setting.
	fcode, fout, ferr := runCLI(t, []string{"config", "check", "--redis-password", "pw-by-flag",
		"--mysql-dsn", "u:dsn-by-flag@tcp(db:3306)/g", "--redis-addrs", "cache-1:6379,redis://:in-addrs@cache-2:6379"}, env, nil)
	for _, secret := range []string{"pw-by-flag", "dsn-by-flag", "in-addrs"} {
		if strings.Contains(fout+ferr, secret) {
			t.Errorf("config check printed the secret %q:\n%s%s", secret, fout, ferr)
		}
	}
	if fcode != exitUsage || !strings.Contains(ferr, "GATEHOUSE_REDIS_ADDRS") || !strings.Contains(fout, "cache-1:6379") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant 2 naming GATEHOUSE_REDIS_ADDRS, the good entry shown", fcode, fout, ferr)
	}
}

func TestNewPassword(t *testing.T) {
	tests := []struct {
		name      string
		fromStdin bool
		in        *typist
		want      string
		code      int // exit code of the error; 0 for none
	}{
		{"stdin line", true, &typist{Reader: strings.NewReader("s3cret pass\nrest")}, "s3cret pass", 0},
		{"stdin CRLF", true, &typist{Reader: strings.NewReader("s3cret\r\n")}, "s3cret", 0},
		{"stdin without newline", true, &typist{Reader: strings.NewReader("s3cret")}, "s3cret", 0},
		{"empty stdin", true, &typist{Reader: strings.NewReader("")}, "", exitUsage},
		{"prompted twice", false, &typist{tty: true, secrets: []string{"s3cret", "s3cret"}}, "s3cret", 0},
		{"prompts differ", false, &typist{tty: true, secrets: []string{"s3cret", "s3creT"}}, "", exitRefused},
		{"no terminal", false, &typist{Reader: strings.NewReader("s3cret\n")}, "", exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			con := &console{in: tt.in}
			got, err := con.newPassword(tt.fromStdin)
			if tt.code != 0 {
				if err == nil || exitCode(err) != tt.code {
					t.Fatalf("newPassword = %q, %v; want exit code %d", got, err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("newPassword = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestMessage: a refusal says the rule that failed, field by field, and "not found" says
// which of user and token is missing.
func TestMessage(t *testing.T) {
	weak := &domain.ValidationError{Fields: map[string][]string{
		"password": {"This password is too common.", "This password is entirely numeric."},
		"email":    {"Enter a valid email address."},
	}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"weak password", fmt.Errorf("create: %w", weak),
			"refused: email: Enter a valid email address.; password: This password is too common. This password is entirely numeric."},
		{"no such user", domain.ErrNoSuchUser, "no such user"},
		{"no such token", fmt.Errorf("revoke: %w", domain.ErrNoSuchToken), "the user has no such token (see gatehouse token list)"},
		{"gone meanwhile", domain.ErrNotFound, "not found (deleted meanwhile?)"},
		{"other", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := message(tt.err); got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
}
