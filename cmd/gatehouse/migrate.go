package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
)

func newMigrateCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Manage the MySQL schema (GATEHOUSE_MYSQL_DSN)",
		Long: `Manage the schema of the MySQL or MariaDB database named by GATEHOUSE_MYSQL_DSN.
The migrations are embedded in the binary.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return usageError(errors.New("want up, down or status")) },
	}
	for _, a := range []struct{ use, short string }{
		{"up", "Apply every pending migration"},
		{"down", "Roll back the latest migration (needs --yes)"},
		{"status", "List the migrations and whether each is applied"},
	} {
		var yes bool
		sub := &cobra.Command{
			Use:   a.use,
			Short: a.short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				cfg, err := con.config(cmd)
				if err != nil {
					return err
				}
				if cfg.MySQL.DSN == "" {
					return usageError(fmt.Errorf("%s: required by migrate", envName("mysql-dsn")))
				}
				useLogger(newLogger(cfg, con.stderr))
				ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Minute)
				defer cancel()
				if a.use == "down" && !yes {
					return refuseDown(ctx, cfg.MySQL)
				}
				return failed(runMigration(ctx, cfg.MySQL, a.use, con.stdout))
			},
		}
		if a.use == "down" {
			sub.Long = `Roll back the latest applied migration by running its down section. Rolling back
migration 1 drops the tables of users, sessions and tokens with every row in them, so the
command only says what it would run unless --yes confirms it.`
			sub.Example = "  gatehouse migrate down        # says what it would do\n  gatehouse migrate down --yes"
			sub.Flags().BoolVar(&yes, "yes", false, "confirm the roll-back")
		}
		cmd.AddCommand(sub)
	}
	con.bindTree(cmd, groupMigrate)
	return cmd
}

// refuseDown is "migrate down" without --yes: a usage error (exit 2) that says what the
// roll-back would run. Reading the plan writes nothing; a failure to read it is still a
// refusal, since nothing was confirmed.
func refuseDown(ctx context.Context, cfg mysqlstore.Config) error {
	plan, err := downPlan(ctx, cfg)
	if errors.Is(err, errNothingApplied) {
		return usageError(err)
	}
	if err != nil {
		return usageError(fmt.Errorf("migrate down needs --yes; what it would roll back is unknown: %w", err))
	}
	return usageError(fmt.Errorf("%s\nrun again with --yes to do it", plan))
}

var errNothingApplied = errors.New("migrate down: no migration is applied, nothing to roll back")

// downPlan describes what "migrate down" would do.
func downPlan(ctx context.Context, cfg mysqlstore.Config) (string, error) {
	db, err := mysqlstore.Connect(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer db.Close()
	m, err := mysqlstore.NewMigrator(db)
	if err != nil {
		return "", err
	}
	version, name, sql, ok, err := m.DownPlan(ctx)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", errNothingApplied
	case sql == "":
		return fmt.Sprintf("migrate down would roll back migration %d (%s), whose down step changes no table", version, name), nil
	}
	return fmt.Sprintf("migrate down would roll back migration %d (%s), running:\n%s", version, name, sql), nil
}

func runMigration(ctx context.Context, cfg mysqlstore.Config, action string, stdout io.Writer) error {
	db, err := mysqlstore.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := mysqlstore.NewMigrator(db)
	if err != nil {
		return err
	}
	switch action {
	case "up":
		applied, err := m.Up(ctx)
		for _, v := range applied {
			fmt.Fprintf(stdout, "applied %d\n", v)
		}
		if err == nil && len(applied) == 0 {
			fmt.Fprintln(stdout, "schema is up to date")
		}
		return err
	case "down":
		v, err := m.Down(ctx)
		if err == nil {
			fmt.Fprintf(stdout, "rolled back %d\n", v)
		}
		return err
	}
	st, err := m.Status(ctx)
	for _, s := range st {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%-8d %-8s %s\n", s.Version, state, s.Name)
	}
	return err
}
