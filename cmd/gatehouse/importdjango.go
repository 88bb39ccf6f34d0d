package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gatehouse/gatehouse/adapters/django"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// importDjangoUsage is the help of "gatehouse import django".
const importDjangoUsage = `usage: gatehouse import django (--dumpdata FILE | --from-dsn DSN) [--dry-run] [flags]

Imports Django's users and Django REST Framework's tokens into the configured stores
(GATEHOUSE_USER_STORE, GATEHOUSE_TOKEN_STORE): nobody resets a password or logs in again.

  --dumpdata FILE  the JSON of "manage.py dumpdata auth.user authtoken.token" ("-": stdin)
  --from-dsn DSN   a Django database on MySQL/MariaDB (go-sql-driver DSN), read directly
  --dry-run        report what would be imported; write nothing

Running it again changes nothing. Progress goes to stderr, the summary to stdout.
Exit status: 0 done (skipped rows are listed), 1 failed, 2 usage or configuration error.
The other flags are those of "gatehouse serve" (see "gatehouse help").`

// importOptions are the options of "gatehouse import django" itself.
type importOptions struct {
	Dumpdata string
	FromDSN  string
	DryRun   bool
}

// importCommand runs "gatehouse import <source> ...". Only django is a source today.
func importCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "django" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, importDjangoUsage)
			return 0
		}
		fmt.Fprintln(stderr, importDjangoUsage)
		return 2
	}
	opts, rest, err := parseImportOptions(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, importDjangoUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse import django: %v\n", err)
		return 2
	}
	cfg, err := loadConfig("gatehouse import django", rest, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		err = checkImportStores(cfg, opts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse import django: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := importDjango(ctx, cfg, opts, os.Stdin, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "gatehouse import django: %v\n", err)
		return 1
	}
	return 0
}

// parseImportOptions takes the import's own flags out of args and returns the rest, which
// are settings flags for loadConfig.
func parseImportOptions(args []string) (importOptions, []string, error) {
	var opts importOptions
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			return opts, nil, fmt.Errorf("unexpected argument %q", args[i])
		}
		switch name {
		case "h", "help":
			return opts, nil, flag.ErrHelp
		case "dry-run":
			opts.DryRun = !hasValue || value == "true"
			if hasValue && value != "true" && value != "false" {
				return opts, nil, errors.New("--dry-run: want true or false")
			}
			continue
		case "dumpdata", "from-dsn":
			if !hasValue {
				if i+1 == len(args) {
					return opts, nil, fmt.Errorf("--%s needs a value", name)
				}
				i++
				value = args[i]
			}
			if name == "dumpdata" {
				opts.Dumpdata = value
			} else {
				opts.FromDSN = value
			}
			continue
		}
		// A settings flag: each takes a value, in the same argument or the next.
		rest = append(rest, args[i])
		if !hasValue && i+1 < len(args) {
			i++
			rest = append(rest, args[i])
		}
	}
	switch {
	case (opts.Dumpdata == "") == (opts.FromDSN == ""):
		return opts, nil, errors.New("give exactly one of --dumpdata FILE and --from-dsn DSN")
	case opts.FromDSN != "":
		if _, err := mysql.ParseDSN(opts.FromDSN); err != nil {
			// The driver's message can quote the DSN, password and all.
			return opts, nil, errors.New("--from-dsn: not a valid DSN")
		}
	}
	return opts, rest, nil
}

// checkImportStores refuses to import into process memory, which the command's exit would
// throw away; a dry run may, to check a source without any store.
func checkImportStores(cfg Config, opts importOptions) error {
	if opts.DryRun {
		return nil
	}
	for _, s := range []struct{ env, backend string }{
		{"GATEHOUSE_USER_STORE", cfg.Stores.Users}, {"GATEHOUSE_TOKEN_STORE", cfg.Stores.Tokens},
	} {
		if s.backend == "memory" {
			return fmt.Errorf("%s=memory: an import into memory is lost when the command ends; use mysql or redis (or --dry-run)", s.env)
		}
	}
	return nil
}

// importDjango reads the source opts names and imports it into the configured stores,
// printing progress on stderr and the summary on stdout.
func importDjango(ctx context.Context, cfg Config, opts importOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	var (
		records iter.Seq2[domain.ImportRecord, error]
		total   app.ImportProgress
		ignored map[string]int
	)
	if opts.FromDSN != "" {
		db, err := django.OpenDatabase(ctx, opts.FromDSN)
		if err != nil {
			return err
		}
		defer db.Close()
		if total.Users, total.Tokens, err = db.Count(ctx); err != nil {
			return err
		}
		if !db.HasTokens {
			fmt.Fprintln(stderr, "no authtoken_token table: importing users only")
		}
		records = db.Records(ctx)
	} else {
		in := stdin
		if opts.Dumpdata != "-" {
			f, err := os.Open(opts.Dumpdata)
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		d := django.NewDumpdata(in)
		records, ignored = d.Records(), d.Ignored
	}

	st, closeStores, err := openStores(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer closeStores()
	im := app.NewImporter(st.Users, st.Tokens, system.Clock{}, system.Random{}, cfg.App.TokenTTL, passhash.Check)
	progress := newProgressLine(stderr, total, time.Second)
	sum, err := im.Import(ctx, records, app.ImportOptions{DryRun: opts.DryRun, Progress: progress.update})
	progress.done()
	for _, model := range slices.Sorted(maps.Keys(ignored)) {
		fmt.Fprintf(stderr, "ignored %d records of model %s (only %s and %s are imported)\n",
			ignored[model], model, django.ModelUser, django.ModelToken)
	}
	printImportSummary(stdout, sum)
	return err
}

// progressLine prints the counts so far on stderr at most once per interval, so a table of
// millions of rows shows it is moving without flooding the terminal.
type progressLine struct {
	w        io.Writer
	total    app.ImportProgress
	interval time.Duration
	last     time.Time
	now      app.ImportProgress
}

func newProgressLine(w io.Writer, total app.ImportProgress, interval time.Duration) *progressLine {
	return &progressLine{w: w, total: total, interval: interval, last: time.Now()}
}

func (p *progressLine) update(now app.ImportProgress) {
	p.now = now
	if time.Since(p.last) >= p.interval {
		p.last = time.Now()
		p.print()
	}
}

func (p *progressLine) done() { p.print() }

func (p *progressLine) print() {
	of := func(n, total int) string {
		if total == 0 {
			return fmt.Sprint(n)
		}
		return fmt.Sprintf("%d/%d", n, total)
	}
	fmt.Fprintf(p.w, "read %s users, %s tokens\n", of(p.now.Users, p.total.Users), of(p.now.Tokens, p.total.Tokens))
}

// printImportSummary writes the outcome of an import: counts, then every skipped row with
// its reason.
func printImportSummary(w io.Writer, s app.ImportSummary) {
	verb := "imported"
	if s.DryRun {
		fmt.Fprintln(w, "dry run: nothing was written")
		verb = "to import"
	}
	fmt.Fprintf(w, "users:  %d %s, %d unchanged, %d skipped\n", s.Users.Imported, verb, s.Users.Unchanged, s.Users.Skipped)
	fmt.Fprintf(w, "tokens: %d %s, %d unchanged, %d skipped\n", s.Tokens.Imported, verb, s.Tokens.Unchanged, s.Tokens.Skipped)
	for _, r := range s.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", r.Row, r.Reason)
	}
}
