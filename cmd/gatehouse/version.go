package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise the module
// version and VCS revision recorded by the go command are printed.
var version = ""

func newVersionCommand(con *console) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and Go version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v, rev, goVersion := version, "unknown", "unknown"
			if info, ok := debug.ReadBuildInfo(); ok {
				goVersion = info.GoVersion
				if v == "" {
					v = info.Main.Version
				}
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" {
						rev = s.Value
					}
				}
			}
			if v == "" {
				v = "(devel)"
			}
			fmt.Fprintf(con.stdout, "gatehouse %s (revision %s, %s)\n", v, rev, goVersion)
			return nil
		},
	}
}
