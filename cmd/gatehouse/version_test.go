package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	const rev = "8afc3da1b2c3d4e5f60718293a4b5c6d7e8f9012"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.modified", Value: modified},
		}
	}
	build := func(version string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gatehouse/gatehouse/cmd/gatehouse", Version: version}, Settings: settings}
	}
	tests := []struct {
		name     string
		injected string
		info     *debug.BuildInfo
		want     string
	}{
		{"injected wins over the module version", "v1.2.3", build("v0.0.0-20261201120000-8afc3da1b2c3", vcs("false")),
			"gatehouse v1.2.3 (revision " + rev + ", go1.26.8)"},
		{"injected without VCS information", "v1.2.3", build("(devel)", nil),
			"gatehouse v1.2.3 (go1.26.8)"},
		{"module version from go install", "", build("v1.2.3", nil),
			"gatehouse v1.2.3 (go1.26.8)"},
		{"pseudo-version the go command made from the revision", "", build("v0.0.0-20261201120000-8afc3da1b2c3+dirty", vcs("true")),
			"gatehouse v0.0.0-20261201120000-8afc3da1b2c3+dirty (revision " + rev + ", go1.26.8)"},
		{"(devel) with a known revision names the revision", "", build("(devel)", vcs("false")),
			"gatehouse devel-8afc3da1b2c3 (revision " + rev + ", go1.26.8)"},
		{"(devel) with a modified tree says so", "", build("(devel)", vcs("true")),
			"gatehouse devel-8afc3da1b2c3+dirty (revision " + rev + ", go1.26.8)"},
		{"nothing known", "", build("(devel)", nil),
			"gatehouse (devel) (go1.26.8)"},
		{"no build information", "", nil,
			"gatehouse (devel)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeBuild(tt.injected, tt.info); got != tt.want {
				t.Errorf("describeBuild(%q) = %q, want %q", tt.injected, got, tt.want)
			}
		})
	}
}

// The version set with -ldflags "-X main.version=..." is what both `version` and
// `--version` print.
func TestVersionCommandPrintsInjectedVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v9.8.7-test"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, args, nil, nil)
			if code != exitOK {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitOK, stderr)
			}
			if !strings.HasPrefix(stdout, "gatehouse v9.8.7-test") || strings.Count(stdout, "\n") != 1 {
				t.Errorf("stdout = %q, want one line starting %q", stdout, "gatehouse v9.8.7-test")
			}
		})
	}
}
