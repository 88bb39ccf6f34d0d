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
		{"down", "Roll back the latest migration"},
		{"status", "List the migrations and whether each is applied"},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   a.use,
			Short: a.short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				cfg, err := con.config(cmd)
				if err != nil {
					return err
				}
				if cfg.MySQL.DSN == "" {
					return usageError(errors.New("GATEHOUSE_MYSQL_DSN: required by migrate"))
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Minute)
				defer cancel()
				return failed(runMigration(ctx, cfg.MySQL, a.use, con.stdout))
			},
		})
	}
	return cmd
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
