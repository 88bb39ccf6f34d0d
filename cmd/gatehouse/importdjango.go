package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"os"
	"slices"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/adapters/django"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/gatehouse"
)

func newImportCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import users and tokens from another system",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return usageError(errors.New("want django")) },
	}
	cmd.AddCommand(newImportDjangoCommand(con))
	con.bindTree(cmd, groupAdmin)
	return cmd
}

// importDSNEnv names the variable that gives --from-dsn's DSN off the command line.
const importDSNEnv = "GATEHOUSE_IMPORT_DJANGO_DSN"

// importOptions are the options of "gatehouse import django" itself.
type importOptions struct {
	Dumpdata string
	FromDSN  string
	DryRun   bool
}

func newImportDjangoCommand(con *console) *cobra.Command {
	var opts importOptions
	cmd := &cobra.Command{
		Use:   "django (--dumpdata FILE | --from-dsn DSN)",
		Short: "Import Django's users and Django REST Framework's tokens",
		Long: `Import Django's users (auth.User) and Django REST Framework's tokens into the configured
stores (GATEHOUSE_USER_STORE, GATEHOUSE_TOKEN_STORE): nobody resets a password or logs in again.
Password hashes are kept as Django wrote them and re-hashed at each user's first login; DRF
token keys keep working under "Authorization: Token <key>", stored only as their SHA-256,
named imported-drf and living GATEHOUSE_TOKEN_TTL from the import.

Each user keeps its Django pk (auth_user.id) as its Gatehouse id, so the application's
tables that point at auth_user keep naming the same people; a pk that is already the id of
another Gatehouse user skips the row, naming that user. A username that equals another but
for case is skipped and reported, never merged, and so is the token of an inactive user (DRF
refuses it). Running the import again changes nothing. --dry-run writes nothing at all: it
never migrates the schema, even with GATEHOUSE_MYSQL_AUTO_MIGRATE=true.
Progress goes to stderr, the summary (imported, unchanged, skipped with the reason of each
row) to stdout; exit code 0 even when rows were skipped.`,
		Example: `  python manage.py dumpdata auth.user authtoken.token > django.json
  gatehouse import django --dumpdata django.json --dry-run
  gatehouse import django --dumpdata django.json
  GATEHOUSE_IMPORT_DJANGO_DSN='reader:secret@tcp(db:3306)/django' gatehouse import django`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Dumpdata == "" && opts.FromDSN == "" {
				opts.FromDSN = con.getenv(importDSNEnv)
			}
			if err := opts.check(); err != nil {
				return usageError(err)
			}
			cfg, err := con.config(cmd)
			if err != nil {
				return err
			}
			if err := checkImportStores(cfg, opts); err != nil {
				return usageError(err)
			}
			useLogger(newLogger(cfg, con.stderr))
			return failed(importDjango(cmd.Context(), cfg, opts, con.in, con.stdout, con.stderr))
		},
	}
	cmd.Flags().StringVar(&opts.Dumpdata, "dumpdata", "", `the JSON of "manage.py dumpdata auth.user authtoken.token" ("-": standard input)`)
	cmd.Flags().StringVar(&opts.FromDSN, "from-dsn", "", "a Django database on MySQL or MariaDB (go-sql-driver/mysql DSN), read directly; "+
		"prefer the variable "+importDSNEnv+", since other users of the machine can read a command line")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "decide every row and report it; write nothing")
	return cmd
}

// check reports a bad combination of options.
func (o importOptions) check() error {
	switch {
	case (o.Dumpdata == "") == (o.FromDSN == ""):
		return errors.New("give exactly one of --dumpdata FILE and --from-dsn DSN")
	case o.FromDSN != "":
		if _, err := mysql.ParseDSN(o.FromDSN); err != nil {
			// The driver's message can quote the DSN, password and all.
			return errors.New("--from-dsn: not a valid DSN")
		}
	}
	return nil
}

// checkImportStores refuses to import into process memory, which the command's exit would
// throw away; a dry run may, to check a source without any store.
func checkImportStores(cfg gatehouse.Config, opts importOptions) error {
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

// importWorkers is how many rows go to the stores at once: enough for MySQL to flush several
// commits together, well within the default pool of GATEHOUSE_MYSQL_MAX_OPEN_CONNS (20).
const importWorkers = 8

// importDjango reads the source opts names and imports it into the configured stores,
// printing progress on stderr and the summary on stdout.
func importDjango(ctx context.Context, cfg gatehouse.Config, opts importOptions, stdin io.Reader, stdout, stderr io.Writer) error {
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

	st, closeStores, err := openImportStores(ctx, cfg, opts.DryRun, stderr)
	if err != nil {
		return err
	}
	defer closeStores()
	im := app.NewImporter(st.Users, st.Tokens, system.Clock{}, system.Random{}, cfg.App.TokenTTL, passhash.Check)
	progress := newProgressLine(stderr, total, time.Second)
	sum, err := im.Import(ctx, records, app.ImportOptions{DryRun: opts.DryRun, Workers: importWorkers, Progress: progress.update})
	progress.done()
	for _, model := range slices.Sorted(maps.Keys(ignored)) {
		fmt.Fprintf(stderr, "ignored %d records of model %s (only %s and %s are imported)\n",
			ignored[model], model, django.ModelUser, django.ModelToken)
	}
	printImportSummary(stdout, sum)
	return err
}

// openImportStores opens the configured stores. A dry run writes nothing at all, so it
// never migrates the MySQL schema (nor creates goose's tables) and never sweeps expired
// rows; on a MySQL database without any Gatehouse schema, which holds no users, it decides
// every row against empty memory stores instead.
func openImportStores(ctx context.Context, cfg gatehouse.Config, dryRun bool, stderr io.Writer) (gatehouse.Stores, func(), error) {
	if !dryRun {
		return gatehouse.OpenStores(ctx, cfg, newLogger(cfg, stderr))
	}
	cfg.MySQL.AutoMigrate = false
	cfg.SweepInterval = math.MaxInt64 // the first sweep would come long after the run
	st, closeStores, err := gatehouse.OpenStores(ctx, cfg, newLogger(cfg, stderr))
	switch {
	case errors.Is(err, mysqlstore.ErrNoSchema):
		fmt.Fprintln(stderr, "the MySQL database holds no Gatehouse schema yet: deciding every row against empty stores")
		for _, b := range []*string{&cfg.Stores.Users, &cfg.Stores.Sessions, &cfg.Stores.Tokens, &cfg.Stores.Throttle} {
			if *b == "mysql" {
				*b = "memory"
			}
		}
		return gatehouse.OpenStores(ctx, cfg, newLogger(cfg, stderr))
	case errors.Is(err, mysqlstore.ErrSchemaMismatch):
		return gatehouse.Stores{}, nil, fmt.Errorf("%w (a dry run never migrates)", err)
	}
	return st, closeStores, err
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
