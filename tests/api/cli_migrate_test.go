package api_test

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// TestCLIMigrateEmptyDatabase: serve refuses an empty database with auto-migrate off and
// leaves it empty; migrate down says what it would run and runs it only with --yes.
func TestCLIMigrateEmptyDatabase(t *testing.T) {
	if !strings.Contains(current.name, "mysql") {
		t.Skip("MySQL schema commands; run on a mysql profile")
	}
	t.Parallel()
	dsn := testenv.MySQLDSN(t)
	c := &cli{env: map[string]string{
		"GATEHOUSE_ADDR": "127.0.0.1:0", "GATEHOUSE_MYSQL_DSN": dsn, "GATEHOUSE_MYSQL_AUTO_MIGRATE": "false",
		"GATEHOUSE_USER_STORE": "mysql", "GATEHOUSE_SESSION_STORE": "mysql", "GATEHOUSE_TOKEN_STORE": "mysql",
	}}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := func() []string {
		t.Helper()
		rows, err := db.QueryContext(t.Context(), "SHOW TABLES")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			out = append(out, name)
		}
		return out
	}

	if code, _, stderr := c.run(t, "", "serve"); code == 0 || !strings.Contains(stderr, "gatehouse migrate up") {
		t.Errorf("serve on an empty database: exit %d, stderr:\n%s\nwant a refusal that says how to migrate", code, stderr)
	}
	if got := tables(); len(got) != 0 {
		t.Errorf("tables after serve refused = %v, want none", got)
	}
	if code, _, stderr := c.run(t, "", "migrate", "down"); code != 2 || !strings.Contains(stderr, "nothing to roll back") {
		t.Errorf("migrate down on an empty database: exit %d, stderr:\n%s", code, stderr)
	}
	c.must(t, "", "migrate", "up")
	migrated := tables()
	if !slices.Contains(migrated, "gatehouse_users") {
		t.Fatalf("tables after migrate up = %v", migrated)
	}
	code, _, stderr := c.run(t, "", "migrate", "down")
	if code != 2 || !strings.Contains(stderr, "would roll back migration") || !strings.Contains(stderr, "--yes") {
		t.Errorf("migrate down without --yes: exit %d, stderr:\n%s\nwant exit 2 saying what it would run", code, stderr)
	}
	status := c.must(t, "", "migrate", "status")
	if strings.Contains(status, "pending") {
		t.Errorf("migrate down without --yes rolled something back:\n%s", status)
	}
	if out := c.must(t, "", "migrate", "down", "--yes"); !strings.HasPrefix(out, "rolled back ") {
		t.Errorf("migrate down --yes printed %q", out)
	}
	if status := c.must(t, "", "migrate", "status"); strings.Count(status, "pending") != 1 {
		t.Errorf("after migrate down --yes, status:\n%s\nwant one pending migration", status)
	}
}
