package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
)

// migrate runs "gatehouse migrate up|down|status" against GATEHOUSE_MYSQL_DSN.
func migrate(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, "usage: gatehouse migrate up|down|status [flags]\n\n"+
			"  up      apply every pending migration\n"+
			"  down    roll back the latest migration\n"+
			"  status  list migrations and whether each is applied\n\n"+
			"The database is GATEHOUSE_MYSQL_DSN (or -mysql-dsn).")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	action := args[0]
	if action != "up" && action != "down" && action != "status" {
		fmt.Fprintf(stderr, "gatehouse migrate: unknown action %q (want up, down or status)\n", action)
		return 2
	}
	cfg, err := loadConfig("gatehouse migrate "+action, args[1:], getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil && cfg.MySQL.DSN == "" {
		err = errors.New("GATEHOUSE_MYSQL_DSN: required by migrate")
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := runMigration(ctx, cfg.MySQL, action, stdout); err != nil {
		fmt.Fprintf(stderr, "gatehouse migrate %s: %v\n", action, err)
		return 1
	}
	return 0
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
