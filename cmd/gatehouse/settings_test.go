package main

import (
	"context"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/gatehouse"
)

// TestCommandsListTheirSettingsOnly: a command's --help lists the settings it reads and no
// other; commands that read none list none.
func TestCommandsListTheirSettingsOnly(t *testing.T) {
	tests := []struct {
		args       []string
		want, nope []string // flags that must, and must not, be listed
	}{
		{[]string{"version"}, nil, []string{"--addr", "--cookie-secure", "--mysql-dsn", "--log-level"}},
		{[]string{"config", "gen-key"}, nil, []string{"--addr", "--secret-key", "--log-level"}},
		{[]string{"completion", "bash"}, nil, []string{"--addr", "--log-level"}},
		{[]string{"migrate", "status"}, []string{"--mysql-dsn", "--log-level"}, []string{"--addr", "--cookie-secure", "--argon2-memory", "--user-store", "--redis-url"}},
		{[]string{"user", "create"}, []string{"--user-store", "--mysql-dsn", "--redis-url", "--argon2-memory", "--unique-email"}, []string{"--addr", "--cookie-secure", "--smtp-url", "--throttle-login-ip"}},
		{[]string{"token", "create"}, []string{"--token-store", "--token-ttl"}, []string{"--addr", "--cors-origins"}},
		{[]string{"import", "django"}, []string{"--user-store", "--token-ttl", "--argon2-memory"}, []string{"--addr", "--smtp-url"}},
		{[]string{"serve"}, []string{"--addr", "--cookie-secure", "--mysql-dsn", "--smtp-url", "--audit-log", "--webauthn-rp-id"}, nil},
		{[]string{"config", "check"}, []string{"--addr", "--cookie-secure", "--mysql-dsn", "--smtp-url", "--audit-log"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(tt.args, "--help"), nil, nil)
			if code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			for _, f := range tt.want {
				if !strings.Contains(stdout, f+" ") {
					t.Errorf("--help does not list %s:\n%s", f, stdout)
				}
			}
			for _, f := range tt.nope {
				if strings.Contains(stdout, f+" ") {
					t.Errorf("--help lists %s, which the command does not read:\n%s", f, stdout)
				}
			}
		})
	}
}

// TestVersionHelpListsNoSetting: gatehouse version --help names no setting at all.
func TestVersionHelpListsNoSetting(t *testing.T) {
	_, stdout, _ := runCLI(t, []string{"version", "--help"}, nil, nil)
	if strings.Contains(stdout, envPrefix) {
		t.Errorf("version --help names a setting:\n%s", stdout)
	}
	for _, s := range settings(&gatehouse.Config{}) {
		if strings.Contains(stdout, "--"+s.name) {
			t.Errorf("version --help lists --%s", s.name)
		}
	}
}

// TestBareBoolFlags: a bool flag given bare means true, and takes =false; it never takes
// the next word as its value.
func TestBareBoolFlags(t *testing.T) {
	env := envOf(map[string]string{"GATEHOUSE_COOKIE_SECURE": "false", "GATEHOUSE_MYSQL_AUTO_MIGRATE": "false"})
	tests := []struct {
		args       []string
		secure     bool
		rest       []string
		migrate    bool
		wantSource string
	}{
		{nil, false, nil, false, "env"},
		{[]string{"--cookie-secure"}, true, nil, false, "flag"},
		{[]string{"--cookie-secure=true"}, true, nil, false, "flag"},
		{[]string{"--cookie-secure=false"}, false, nil, false, "flag"},
		{[]string{"--cookie-secure", "--mysql-auto-migrate", "status"}, true, []string{"status"}, true, "flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			cc := bindSettings(fs, groupAll)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			c, err := cc.load(fs, env)
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTP.CookieSecure != tt.secure || c.MySQL.AutoMigrate != tt.migrate || !slices.Equal(fs.Args(), tt.rest) {
				t.Errorf("CookieSecure %t, AutoMigrate %t, args %q; want %t, %t, %q",
					c.HTTP.CookieSecure, c.MySQL.AutoMigrate, fs.Args(), tt.secure, tt.migrate, tt.rest)
			}
			if got := newChecker(cc.settings).byName["cookie-secure"].source; got != tt.wantSource {
				t.Errorf("source %q, want %q", got, tt.wantSource)
			}
		})
	}
}

// TestBareFlagsOnTheCommandLine: on the command line, a bare bool flag before a command
// leaves the command to be found ("--mysql-auto-migrate migrate status" is migrate status),
// and serve and config check take bare --cookie-secure.
func TestBareFlagsOnTheCommandLine(t *testing.T) {
	code, _, stderr := runCLI(t, []string{"--mysql-auto-migrate", "migrate", "status"}, nil, nil)
	if code != exitUsage || !strings.Contains(stderr, "GATEHOUSE_MYSQL_DSN: required by migrate") {
		t.Errorf("--mysql-auto-migrate migrate status: exit %d, stderr %q; want migrate status to run and ask for the DSN", code, stderr)
	}
	env := map[string]string{"GATEHOUSE_COOKIE_SECURE": "false"}
	code, stdout, stderr := runCLI(t, []string{"config", "check", "--cookie-secure"}, env, nil)
	if code != exitOK || !regexp.MustCompile(`(?m)^GATEHOUSE_COOKIE_SECURE +true +flag$`).MatchString(stdout) {
		t.Errorf("config check --cookie-secure: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// serve with a cancelled context stops as soon as it has checked its configuration.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out, errOut strings.Builder
	env["GATEHOUSE_ADDR"] = "127.0.0.1:0"
	code = execute(ctx, []string{"serve", "--cookie-secure", "--cookie-host-prefix"}, environOf(env), &typist{Reader: strings.NewReader("")}, &out, &errOut)
	if code != exitOK {
		// --cookie-host-prefix needs secure cookies: the bare flag must have given them.
		t.Errorf("serve --cookie-secure --cookie-host-prefix: exit %d, stderr:\n%s", code, errOut.String())
	}
}

// TestCommandsIgnoreSettingsTheyDoNotRead: a bad value of a setting a command does not read
// does not stop it; the commands that read it are stopped.
func TestCommandsIgnoreSettingsTheyDoNotRead(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in stderr
	}{
		{"migrate status, weak argon2", []string{"migrate", "status"}, map[string]string{"GATEHOUSE_ARGON2_MEMORY": "1024"}, "GATEHOUSE_MYSQL_DSN: required by migrate"},
		{"migrate status, bad cookie setting", []string{"migrate", "status"}, map[string]string{"GATEHOUSE_COOKIE_SECURE": "maybe"}, "GATEHOUSE_MYSQL_DSN: required by migrate"},
		{"user list, bad listen address", []string{"user", "list"}, map[string]string{"GATEHOUSE_ADDR": "localhost"}, "the users store is memory"},
		{"user list, no mail for verified emails", []string{"user", "list"}, map[string]string{"GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true"}, "the users store is memory"},
		{"serve reads argon2", []string{"serve"}, map[string]string{"GATEHOUSE_ARGON2_MEMORY": "1024"}, "GATEHOUSE_ARGON2_MEMORY"},
		{"config check reads argon2", []string{"config", "check"}, map[string]string{"GATEHOUSE_ARGON2_MEMORY": "1024"}, "GATEHOUSE_ARGON2_MEMORY"},
		{"user list reads argon2", []string{"user", "list"}, map[string]string{"GATEHOUSE_ARGON2_MEMORY": "1024"}, "GATEHOUSE_ARGON2_MEMORY"},
		{"migrate reads the DSN", []string{"migrate", "status"}, map[string]string{"GATEHOUSE_MYSQL_DSN": "nonsense(("}, "GATEHOUSE_MYSQL_DSN: not a valid DSN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args, tt.env, nil)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestConfigCheckRefusesWhatServeRefuses: config check and serve run the same checks, so a
// value one refuses the other refuses too, with exit code 2 naming the variable.
func TestConfigCheckRefusesWhatServeRefuses(t *testing.T) {
	bad := map[string]string{
		"GATEHOUSE_ADDR":                   "localhost",
		"GATEHOUSE_ADMIN_ADDR":             ":99999",
		"GATEHOUSE_TOKEN_TTL":              "100000h",
		"GATEHOUSE_COOKIE_HOST_PREFIX":     "true",
		"GATEHOUSE_HASH_MEMORY":            "18MiB",
		"GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true",
		"GATEHOUSE_THROTTLE_STORE":         "mysql",
		"GATEHOUSE_WEBAUTHN_ORIGINS":       "https://elsewhere.example",
		"GATEHOUSE_AUDIT_LOG":              "sometimes",
		"GATEHOUSE_SWEEP_INTERVAL":         "0",
	}
	for name, value := range bad {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{name: value}
			if name == "GATEHOUSE_COOKIE_HOST_PREFIX" {
				env["GATEHOUSE_COOKIE_SECURE"] = "false"
			}
			for _, args := range [][]string{{"config", "check"}, {"serve"}} {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				var out, errOut strings.Builder
				code := execute(ctx, args, environOf(env), &typist{Reader: strings.NewReader("")}, &out, &errOut)
				if code != exitUsage || !strings.Contains(errOut.String(), name) {
					t.Errorf("%s: exit %d, stderr %q; want 2 naming %s", args, code, errOut.String(), name)
				}
			}
		})
	}
}

// TestDefaultsReadBack: every default, as --help and config check show it, is a value the
// setting takes, and reads back as itself.
func TestDefaultsReadBack(t *testing.T) {
	c := gatehouse.DefaultConfig()
	for _, s := range settings(&c) {
		shown := s.String()
		if err := s.Set(shown); err != nil || s.err != nil {
			t.Errorf("%s: default %q is refused: %v %v", s.env(), shown, err, s.err)
			continue
		}
		if got := s.String(); got != shown {
			t.Errorf("%s: default %q reads back as %q", s.env(), shown, got)
		}
	}
}

// TestSettingNames: each variable is its flag in upper snake case after GATEHOUSE_, and no
// two settings share a name.
func TestSettingNames(t *testing.T) {
	if got := envName("cookie-secure"); got != "GATEHOUSE_COOKIE_SECURE" {
		t.Errorf("envName(cookie-secure) = %q", got)
	}
	seen := map[string]bool{}
	for _, s := range settings(&gatehouse.Config{}) {
		if seen[s.name] {
			t.Errorf("two settings named %s", s.name)
		}
		seen[s.name] = true
		if s.group == 0 || s.group&groupAll != s.group {
			t.Errorf("%s is in no group serve reads", s.name)
		}
	}
}

// TestREADMEListsEverySetting: the README's configuration table has one row per setting,
// with its variable and its flag, and no row for anything else.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(GATEHOUSE_[A-Z0-9_]+)` \\| `--([a-z0-9-]+)` \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = m[2]
	}
	want := map[string]string{}
	for _, s := range settings(&gatehouse.Config{}) {
		want[s.env()] = s.name
	}
	for env, flag := range want {
		if documented[env] != flag {
			t.Errorf("README: no row for %s with --%s", env, flag)
		}
	}
	for _, env := range slices.Sorted(maps.Keys(documented)) {
		if _, ok := want[env]; !ok {
			t.Errorf("README: row for %s, which is no setting", env)
		}
	}
}

// TestCompletionOfChoices: the shell completes the values of a setting that takes few, on
// the command that reads it.
func TestCompletionOfChoices(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "serve", "--log-format", ""}, []string{"json", "text"}},
		{[]string{"__complete", "user", "list", "--user-store", ""}, []string{"memory", "mysql", "redis"}},
		{[]string{"__complete", "config", "check", "--audit-log="}, []string{"on", "off"}},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args, nil, nil)
		lines := strings.Split(stdout, "\n")
		for _, w := range tt.want {
			if code != exitOK || !slices.Contains(lines, w) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want %s offered", tt.args, code, stdout, stderr, w)
			}
		}
	}
}

// TestCompletion: gatehouse completion prints a shell's completion script.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, stdout, stderr := runCLI(t, []string{"completion", shell}, map[string]string{"GATEHOUSE_COOKIESECURE": "x"}, nil)
		if code != exitOK || !strings.Contains(stdout, "gatehouse") || !strings.Contains(stdout, "__complete") {
			t.Errorf("completion %s: exit %d, stderr %q, stdout starts %q", shell, code, stderr, stdout[:min(len(stdout), 200)])
		}
	}
}

// TestTypedValues: each kind of value parses what its setting takes, refuses the rest, and
// formats what it holds as it would be written.
func TestTypedValues(t *testing.T) {
	tests := []struct {
		name, in, want string // want "" with ok false: refused
		ok             bool
	}{
		{"token-ttl", "720h0m0s", "720h", true},
		{"token-ttl", "90m", "1h30m", true},
		{"token-ttl", "-1s", "", false},
		{"hash-memory", "1024MiB", "1GiB", true},
		{"hash-memory", "1536KiB", "1536KiB", true},
		{"hash-memory", "1024", "", false},
		{"throttle-login-ip", "OFF", "off", true},
		{"session-bind", "UA, ip", "ip,ua", true},
		{"session-bind", "cookie", "", false},
		{"authenticators", "default", "session,basic", true},
		{"webauthn-rp-id", "Example.COM", "example.com", true},
		{"webauthn-rp-id", "off", "off", true},
		{"webauthn-rp-id", "", "", false},
		{"webauthn-rp-id", "https://example.com", "", false},
		{"log-level", "WARN", "warn", true},
		{"audit-log", "Off", "off", true},
		{"audit-log", "false", "", false},
		{"user-store", "Redis", "redis", true},
		{"argon2-threads", "256", "", false},
		{"argon2-memory", "4294967295", "4294967295", true},
		{"client-ip-header", "x-real-ip", "X-Real-Ip", true},
		{"login-failure-floor", "AUTO", "auto", true},
		{"login-failure-floor", "300ms", "300ms", true},
		{"addr", ":0", ":0", true},
		{"admin-addr", "", "", true},
		{"addr", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.in, func(t *testing.T) {
			c := gatehouse.DefaultConfig()
			k := newChecker(settings(&c))
			s := k.byName[tt.name]
			err := s.Set(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Set(%q) = %v, want ok %t", tt.in, err, tt.ok)
			}
			if tt.ok && s.String() != tt.want {
				t.Errorf("Set(%q), then String() = %q, want %q", tt.in, s.String(), tt.want)
			}
		})
	}
}

// TestPasskeyOriginsMustBeSecure: browsers offer passkeys to https pages and to plain HTTP on
// localhost only, so a plain-HTTP origin of a real site is refused at start-up.
func TestPasskeyOriginsMustBeSecure(t *testing.T) {
	for _, tc := range []struct {
		rpID, origins string
		ok            bool
	}{
		{"example.com", "http://example.com", false},
		{"example.com", "https://login.example.com", true},
		{"localhost", "http://localhost:9000", true},
	} {
		env := map[string]string{"GATEHOUSE_WEBAUTHN_RP_ID": tc.rpID, "GATEHOUSE_WEBAUTHN_ORIGINS": tc.origins}
		var out, errOut strings.Builder
		code := execute(t.Context(), []string{"config", "check"}, environOf(env), &typist{Reader: strings.NewReader("")}, &out, &errOut)
		if (code == exitOK) != tc.ok {
			t.Errorf("%s on %s: exit %d, %q", tc.origins, tc.rpID, code, errOut.String())
		}
	}
}
