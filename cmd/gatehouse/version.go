package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is the release version, set at build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/gatehouse
//
// Left empty, the version comes from what the go command recorded in the binary.
var version = ""

func newVersionCommand(con *console) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and Go version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(con.stdout, versionLine())
			return nil
		},
	}
}

// versionLine describes the running binary, as `gatehouse version` and `--version` print it.
func versionLine() string {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(version, info)
}

// describeBuild says which build this is: "gatehouse VERSION (revision REV, GOVERSION)".
// The version is the injected one if set; else the main module's version, which the go
// command takes from a tag, or since Go 1.24 makes a pseudo-version of the VCS revision
// ("v0.0.0-20261201120000-8afc3da1b2c3+dirty"); else, when the revision is known but no
// version is (a build with -buildvcs but an older toolchain, say), "devel-" and the
// revision's first 12 digits, so that a report names the commit instead of a bare "(devel)".
// info may be nil: a binary built without module support records nothing.
func describeBuild(injected string, info *debug.BuildInfo) string {
	v, rev, modified, goVersion := injected, "", false, ""
	if info != nil {
		goVersion = info.GoVersion
		if v == "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" && rev != "" {
		v = "devel-" + rev[:min(12, len(rev))]
		if modified {
			v += "+dirty"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	var details []string
	if rev != "" {
		details = append(details, "revision "+rev)
	}
	if goVersion != "" {
		details = append(details, goVersion)
	}
	if len(details) == 0 {
		return "gatehouse " + v
	}
	return fmt.Sprintf("gatehouse %s (%s)", v, strings.Join(details, ", "))
}
