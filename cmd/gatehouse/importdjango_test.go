package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
)

const dumpFixture = "../../adapters/django/testdata/django-dumpdata.json"

func runImport(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLI(t, append([]string{"import"}, args...), env, nil)
}

func TestImportDjangoUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no source kind", nil, "want django"},
		{"unknown source", []string{"rails"}, "unknown command"},
		{"no source", []string{"django"}, "exactly one of"},
		{"bad DSN from the environment", []string{"django", "--dry-run"}, "not a valid DSN"},
		{"both sources", []string{"django", "--dumpdata", dumpFixture, "--from-dsn", "root@tcp(127.0.0.1:3306)/x"}, "exactly one of"},
		{"value missing", []string{"django", "--dumpdata"}, "needs an argument"},
		{"bad DSN", []string{"django", "--from-dsn", "user:s3cret@nonsense(("}, "not a valid DSN"},
		{"bad dry-run", []string{"django", "--dumpdata", dumpFixture, "--dry-run=maybe"}, "dry-run"},
		{"stray argument", []string{"django", "--dumpdata", dumpFixture, "extra"}, "unknown command"},
		{"bad setting", []string{"django", "--dumpdata", dumpFixture, "--dry-run", "--token-ttl", "soon"}, `invalid argument "soon" for "--token-ttl"`},
		{"memory user store", []string{"django", "--dumpdata", dumpFixture}, "GATEHOUSE_USER_STORE=memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			if strings.HasPrefix(tt.name, "bad DSN from the environment") {
				env[importDSNEnv] = "user:s3cret@nonsense(("
			}
			code, _, stderr := runImport(t, env, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("stderr %q quotes the DSN's password", stderr)
			}
		})
	}
}

// TestImportDjangoDryRunChecksADump: a dry run needs no store and reports what an import
// would do with the fixture.
func TestImportDjangoDryRunChecksADump(t *testing.T) {
	code, stdout, stderr := runImport(t, nil, "django", "--dumpdata", dumpFixture, "--dry-run", "--token-ttl", "24h")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"dry run: nothing was written",
		"users:  6 to import, 0 unchanged, 1 skipped",
		"tokens: 3 to import, 0 unchanged, 2 skipped",
		`skipped token of user pk=4: its user (user pk=4 "dave") is inactive`,
		`skipped user pk=7 "Alice": username collides case-insensitively with user pk=1 "alice"`,
		`skipped token of user pk=7: its user`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "read 7 users, 5 tokens") {
		t.Errorf("stderr lacks the final progress line:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, "67247232892946d8a7969f0d2c148bb5e05965ba") {
		t.Error("output holds a token key")
	}
}

func TestImportDjangoFailures(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"model": "auth.user", "pk": "x"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"django", "--dumpdata", filepath.Join(dir, "missing.json"), "--dry-run"},
		{"django", "--dumpdata=" + bad, "--dry-run"},
	} {
		if code, _, stderr := runImport(t, nil, args...); code != 1 {
			t.Errorf("%v: exit %d (stderr %q), want 1", args, code, stderr)
		}
	}
}

func TestImportDjangoReadsStandardInput(t *testing.T) {
	dump, err := os.ReadFile(dumpFixture)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, []string{"import", "django", "--dumpdata", "-", "--dry-run"}, nil,
		&typist{Reader: strings.NewReader(string(dump))})
	if code != 0 || !strings.Contains(stdout, "users:  6 to import") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestImportProgressLine(t *testing.T) {
	var out strings.Builder
	p := newProgressLine(&out, app.ImportProgress{Users: 10, Tokens: 4}, 0)
	p.update(app.ImportProgress{Users: 3})
	p.update(app.ImportProgress{Users: 10, Tokens: 1})
	p.done()
	want := "read 3/10 users, 0/4 tokens\nread 10/10 users, 1/4 tokens\nread 10/10 users, 1/4 tokens\n"
	if out.String() != want {
		t.Errorf("progress = %q, want %q", out.String(), want)
	}
	out.Reset()
	quiet := newProgressLine(&out, app.ImportProgress{}, time.Hour)
	for i := range 1000 {
		quiet.update(app.ImportProgress{Users: i})
	}
	quiet.done()
	if out.String() != "read 999 users, 0 tokens\n" {
		t.Errorf("progress within the interval = %q, want only the final line", out.String())
	}
}
