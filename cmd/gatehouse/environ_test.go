package main

import (
	"context"
	"maps"
	"strings"
	"testing"
)

// TestUnknownVariablesAreRefused: a GATEHOUSE_* variable that is no setting stops every
// command that reads settings with exit 2, naming the closest setting when one is close;
// the harness's variables pass.
func TestUnknownVariablesAreRefused(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    int
		suggest string // "" when no suggestion may be made
	}{
		{"underscore missing", []string{"config", "check"}, map[string]string{"GATEHOUSE_COOKIESECURE": "false"}, exitUsage, "GATEHOUSE_COOKIE_SECURE"},
		{"underscore missing, serve", []string{"serve"}, map[string]string{"GATEHOUSE_COOKIESECURE": "false"}, exitUsage, "GATEHOUSE_COOKIE_SECURE"},
		{"the default command", nil, map[string]string{"GATEHOUSE_COOKIESECURE": "false"}, exitUsage, "GATEHOUSE_COOKIE_SECURE"},
		{"lower case", []string{"config", "check"}, map[string]string{"gatehouse_cookie_secure": "false"}, exitUsage, "GATEHOUSE_COOKIE_SECURE"},
		{"one letter off", []string{"config", "check"}, map[string]string{"GATEHOUSE_SESION_STORE": "redis"}, exitUsage, "GATEHOUSE_SESSION_STORE"},
		{"two letters swapped", []string{"config", "check"}, map[string]string{"GATEHOUSE_TOKNE_TTL": "1h"}, exitUsage, "GATEHOUSE_TOKEN_TTL"},
		{"plural", []string{"config", "check"}, map[string]string{"GATEHOUSE_TRUSTED_ORIGIN": "https://a.example"}, exitUsage, "GATEHOUSE_TRUSTED_ORIGINS"},
		{"a store command", []string{"user", "list"}, map[string]string{"GATEHOUSE_USERS_STORE": "mysql"}, exitUsage, "GATEHOUSE_USER_STORE"},
		{"migrate", []string{"migrate", "status"}, map[string]string{"GATEHOUSE_MYSQL_DNS": "x"}, exitUsage, "GATEHOUSE_MYSQL_DSN"},
		{"far off", []string{"config", "check"}, map[string]string{"GATEHOUSE_FROBNICATE": "1"}, exitUsage, ""},
		{"empty value", []string{"config", "check"}, map[string]string{"GATEHOUSE_FROBNICATE": ""}, exitUsage, ""},
		{"test harness", []string{"config", "check"}, map[string]string{"GATEHOUSE_TEST_PROFILE": "mysql", "GATEHOUSE_TEST_MYSQL_DSN": "x"}, exitOK, ""},
		{"benchmarks", []string{"config", "check"}, map[string]string{"GATEHOUSE_BENCH_CPUPROFILE": "cpu.out"}, exitOK, ""},
		{"CI", []string{"config", "check"}, map[string]string{"GATEHOUSE_REQUIRE_SERVICES": "1"}, exitOK, ""},
		{"release version", []string{"config", "check"}, map[string]string{"GATEHOUSE_VERSION": "v1.2.0"}, exitOK, ""},
		{"import DSN", []string{"config", "check"}, map[string]string{"GATEHOUSE_IMPORT_DJANGO_DSN": "u:p@tcp(db:3306)/django"}, exitOK, ""},
		{"another program's", []string{"config", "check"}, map[string]string{"GATEKEEPER_ADDR": "x", "HOME": "/root"}, exitOK, ""},
		{"version reads no settings", []string{"version"}, map[string]string{"GATEHOUSE_COOKIESECURE": "false"}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Should the check fail, serve must not serve on: a cancelled context stops it at
			// once, on a free port, and the exit code tells.
			env := map[string]string{"GATEHOUSE_ADDR": "127.0.0.1:0"}
			maps.Copy(env, tt.env)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			var out, errOut strings.Builder
			code := execute(ctx, tt.args, environOf(env), &typist{Reader: strings.NewReader("")}, &out, &errOut)
			stdout, stderr := out.String(), errOut.String()
			if code != tt.want {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
			if tt.want == exitOK {
				return
			}
			for name, value := range tt.env {
				if !strings.Contains(stderr, name+" is not a setting") {
					t.Errorf("stderr does not name %s:\n%s", name, stderr)
				}
				if value != "" && strings.Contains(stderr, value) {
					t.Errorf("stderr echoes the value %q, which may be a secret:\n%s", value, stderr)
				}
			}
			switch {
			case tt.suggest != "" && !strings.Contains(stderr, "did you mean "+tt.suggest+"?"):
				t.Errorf("stderr does not suggest %s:\n%s", tt.suggest, stderr)
			case tt.suggest == "" && strings.Contains(stderr, "did you mean"):
				t.Errorf("stderr suggests a name for a far-off one:\n%s", stderr)
			}
		})
	}
}

// Every unknown variable is named at once, so one run shows every mistake.
func TestUnknownVariablesAreAllNamed(t *testing.T) {
	env := map[string]string{"GATEHOUSE_COOKIESECURE": "false", "GATEHOUSE_TOKNE_TTL": "1h"}
	_, _, stderr := runCLI(t, []string{"config", "check"}, env, nil)
	for name := range env {
		if !strings.Contains(stderr, name) {
			t.Errorf("stderr does not name %s:\n%s", name, stderr)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"", "abc", 3},
		{"abc", "abd", 1},
		{"abc", "ab", 1},
		{"tokne", "token", 2},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}
