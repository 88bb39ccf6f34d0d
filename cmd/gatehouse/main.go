// Command gatehouse runs the Gatehouse authentication service.
//
//	gatehouse [serve] [flags]                serve the HTTP API (the default command)
//	gatehouse migrate up|down|status [flags] manage the MySQL schema
//	gatehouse import django [flags]          import users and DRF tokens from Django
//	gatehouse help                           list the commands and settings
//
// Every flag has a GATEHOUSE_* environment variable; a flag overrides its variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code: 0 on success, 2 for a usage or
// configuration error, 1 when the service failed.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := loadConfig("gatehouse serve", args, getenv, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			return 2
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := serve(ctx, cfg, newLogger(cfg, stdout)); err != nil {
			fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			return 1
		}
		return 0
	case "migrate":
		return migrate(args, getenv, stdout, stderr)
	case "import":
		return importCommand(args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: gatehouse [serve] [flags]\n       gatehouse migrate up|down|status [flags]\n       gatehouse import django (--dumpdata FILE | --from-dsn DSN) [--dry-run] [flags]\n\nFlags (each also a GATEHOUSE_* variable):")
		_, _ = loadConfig("gatehouse serve", []string{"-h"}, getenv, stdout)
		return 0
	}
	fmt.Fprintf(stderr, "gatehouse: unknown command %q; try 'gatehouse help'\n", cmd)
	return 2
}
