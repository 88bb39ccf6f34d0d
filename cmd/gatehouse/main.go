// Command gatehouse runs the Gatehouse authentication service and administers its stores.
//
//	gatehouse [serve]                           serve the HTTP API (the default command)
//	gatehouse migrate up|down|status            manage the MySQL schema
//	gatehouse user create|list|set-password|deactivate|activate
//	gatehouse token create|list|revoke
//	gatehouse sessions list|revoke
//	gatehouse import django --dumpdata FILE | --from-dsn DSN [--dry-run]
//	gatehouse config check                      print the effective configuration
//	gatehouse config gen-key                    print a new GATEHOUSE_SECRET_KEY
//	gatehouse version | --version
//	gatehouse completion bash|zsh|fish|powershell
//
// Every setting is a GATEHOUSE_* environment variable and a flag of the commands that use
// it; the flag wins.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/gatehouse"
)

func main() {
	gin.SetMode(gin.ReleaseMode) // no route listing on start, no debug warnings
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:], os.Environ(), terminal(os.Stdin), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes, which scripts may rely on.
const (
	exitOK       = 0
	exitFailure  = 1 // the command could not do its work: a store is down, say
	exitUsage    = 2 // a bad command line or configuration
	exitRefused  = 3 // the input breaks a rule: a weak password, a taken username
	exitNotFound = 4 // no such user or token
)

// console is what commands read from and write to.
type console struct {
	in     prompter
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// environ is the whole environment, as os.Environ returns it: config refuses the
	// GATEHOUSE_* variables in it that are no settings.
	environ []string
	// bound holds the settings of each command that reads any (see bind).
	bound map[*cobra.Command]*commandConfig
}

// execute runs the command line args in the environment environ ("NAME=value" entries, as
// os.Environ returns them) and returns the process exit code.
func execute(ctx context.Context, args []string, environ []string, in prompter, stdout, stderr io.Writer) int {
	con := &console{in: in, stdout: stdout, stderr: stderr, getenv: getenvOf(environ), environ: environ}
	root := newRootCommand(con)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "gatehouse: %s\n", message(err))
	return exitCode(err)
}

// message says what went wrong in the operator's terms: the rule that refused the input,
// field by field, rather than only the names of the fields; which of user and token does
// not exist.
func message(err error) string {
	var verr *domain.ValidationError
	switch {
	case errors.As(err, &verr):
		fields := slices.Sorted(maps.Keys(verr.Fields))
		lines := make([]string, 0, len(fields))
		for _, f := range fields {
			lines = append(lines, f+": "+strings.Join(verr.Fields[f], " "))
		}
		return "refused: " + strings.Join(lines, "; ")
	case errors.Is(err, domain.ErrNoSuchUser):
		return "no such user"
	case errors.Is(err, domain.ErrNoSuchToken):
		return "the user has no such token (see gatehouse token list)"
	case errors.Is(err, domain.ErrNotFound):
		return "not found (deleted meanwhile?)"
	}
	return err.Error()
}

// exitError carries the exit code a command chose.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage or configuration error.
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// exitCode maps an error to an exit code. Errors that no command wrapped come from cobra
// itself — an unknown command or flag, a wrong number of arguments — and are usage errors.
func exitCode(err error) int {
	var e *exitError
	switch {
	case errors.As(err, &e):
		return e.code
	case errors.Is(err, domain.ErrNotFound):
		return exitNotFound
	case errors.Is(err, domain.ErrUsernameTaken), errors.Is(err, domain.ErrEmailTaken), errors.Is(err, domain.ErrInactiveUser),
		errors.Is(err, domain.ErrNoEmail), errors.As(err, new(*domain.ValidationError)):
		return exitRefused
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.Canceled):
		return exitFailure
	}
	return exitUsage
}

// failed marks an error returned by the application, so that exitCode does not take it for
// a usage error.
func failed(err error) error {
	if err == nil {
		return nil
	}
	switch code := exitCode(err); code {
	case exitUsage:
		return &exitError{code: exitFailure, err: err}
	default:
		return &exitError{code: code, err: err}
	}
}

func newRootCommand(con *console) *cobra.Command {
	root := &cobra.Command{
		Use:   "gatehouse",
		Short: "Gatehouse: sign-up, login and API authentication (Basic, Session, Token)",
		Long: `Gatehouse serves sign-up, login and API authentication over HTTP, and administers
its stores from the command line. Without a command it serves.

Every setting is a GATEHOUSE_* environment variable, and a flag of each command that
uses it (see the command's --help); a flag overrides its variable, which overrides the
default. 'gatehouse config check' prints the result. A GATEHOUSE_* variable that is no
setting stops every command that reads settings, with the name of the setting it is
closest to (GATEHOUSE_TEST_* and GATEHOUSE_BENCH_* pass).

Exit codes: 0 success, 1 failure (a store is down), 2 bad command line or configuration,
3 input refused (a weak password, a taken username), 4 no such user or token.`,
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return runServe(cmd, con) },
	}
	// --version prints what the version command prints.
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	con.bind(root, groupAll)
	root.AddCommand(
		newServeCommand(con),
		newMigrateCommand(con),
		newUserCommand(con),
		newTokenCommand(con),
		newSessionsCommand(con),
		newImportCommand(con),
		newConfigCommand(con),
		newVersionCommand(con),
	)
	return root
}

// bind gives cmd the settings of groups as flags, and remembers them for config. Every
// command that reads settings binds the groups it uses, and only those: its --help lists
// them, and a bad value of another command's setting does not stop it.
func (con *console) bind(cmd *cobra.Command, groups group) {
	if con.bound == nil {
		con.bound = map[*cobra.Command]*commandConfig{}
	}
	con.bound[cmd] = bindSettings(cmd.Flags(), groups)
	completeChoices(cmd, con.bound[cmd])
}

// completeChoices lets the shell complete the values of settings that take few.
func completeChoices(cmd *cobra.Command, cc *commandConfig) {
	for _, s := range cc.settings {
		if choices := s.value.choices; choices != nil {
			_ = cmd.RegisterFlagCompletionFunc(s.name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp))
		}
	}
}

// bindTree gives cmd and every command under it the settings of groups, as flags of cmd
// that its subcommands inherit: "gatehouse migrate --mysql-dsn DSN status" reads as
// "gatehouse migrate status --mysql-dsn DSN".
func (con *console) bindTree(cmd *cobra.Command, groups group) {
	if con.bound == nil {
		con.bound = map[*cobra.Command]*commandConfig{}
	}
	cc := bindSettings(cmd.PersistentFlags(), groups)
	completeChoices(cmd, cc)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		con.bound[c] = cc
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
}

// config loads the configuration of the running command: the settings it bound. Every
// command that reads settings comes here, so each refuses unknown GATEHOUSE_* variables:
// serve and config check, and also the store commands (user, token, sessions, migrate,
// import), which a misspelled store variable would point at the wrong store.
func (con *console) config(cmd *cobra.Command) (gatehouse.Config, error) {
	cc := con.bound[cmd]
	if cc == nil {
		return gatehouse.Config{}, fmt.Errorf("%s binds no settings", cmd.CommandPath())
	}
	// Loaded first, so that config check shows every value's source whatever the verdict.
	cfg, err := cc.load(cmd.Flags(), con.getenv)
	if err := unknownVariables(con.environ); err != nil {
		return gatehouse.Config{}, usageError(err)
	}
	if err != nil {
		return gatehouse.Config{}, usageError(err)
	}
	return cfg, nil
}
