package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/gatehouse"
)

// withAdmin opens the stores the configuration names and runs fn with the operator's use
// cases over them. ports names the store ports fn touches: a memory store there is refused,
// since a running server's memory is out of this process's reach.
func (con *console) withAdmin(cmd *cobra.Command, ports []string, fn func(*app.Admin) error) error {
	cfg, err := con.config(cmd)
	if err != nil {
		return err
	}
	chosen := map[string]string{"users": cfg.Stores.Users, "sessions": cfg.Stores.Sessions, "tokens": cfg.Stores.Tokens}
	for _, p := range ports {
		if chosen[p] == "memory" {
			return usageError(fmt.Errorf("the %s store is memory: a server's memory is out of this command's reach; "+
				"point GATEHOUSE_%s_STORE at mysql or redis", p, strings.ToUpper(strings.TrimSuffix(p, "s"))))
		}
	}
	log := newLogger(cfg, con.stderr)
	useLogger(log)
	st, closeStores, err := gatehouse.OpenStores(cmd.Context(), cfg, log)
	if err != nil {
		return failed(err)
	}
	defer closeStores()
	a, err := gatehouse.NewAdmin(cfg, log, st)
	if err != nil {
		return failed(err)
	}
	return failed(fn(a))
}

// prompter reads what the operator types.
type prompter interface {
	io.Reader
	// IsTerminal reports whether the operator can be prompted.
	IsTerminal() bool
	// ReadSecret shows prompt and reads one line without echoing it.
	ReadSecret(prompt string) (string, error)
}

// terminal prompts on f, usually standard input, writing prompts to standard error.
func terminal(f *os.File) prompter { return tty{f} }

type tty struct{ *os.File }

func (t tty) IsTerminal() bool { return term.IsTerminal(int(t.Fd())) }

func (t tty) ReadSecret(prompt string) (string, error) {
	fmt.Fprint(os.Stderr, prompt)
	b, err := term.ReadPassword(int(t.Fd()))
	fmt.Fprintln(os.Stderr)
	return string(b), err
}

// maxPasswordInput bounds what --password-stdin reads.
const maxPasswordInput = 64 << 10

// newPassword reads a new password: the first line of standard input with --password-stdin,
// else typed twice at a prompt without echo, as Django's createsuperuser asks for it.
func (con *console) newPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(con.in, maxPasswordInput)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", failed(err)
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if pw == "" {
			return "", usageError(errors.New("--password-stdin: standard input held no password"))
		}
		return pw, nil
	}
	if !con.in.IsTerminal() {
		return "", usageError(errors.New("standard input is not a terminal to prompt on: pass the password with --password-stdin"))
	}
	first, err := con.in.ReadSecret("Password: ")
	if err != nil {
		return "", failed(err)
	}
	again, err := con.in.ReadSecret("Password (again): ")
	if err != nil {
		return "", failed(err)
	}
	if first != again {
		return "", &exitError{code: exitRefused, err: errors.New("the two passwords differ")}
	}
	return first, nil
}
