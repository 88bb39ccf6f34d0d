package migration_test

import (
	"database/sql"
	"maps"
	"os"
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/django"
)

// Importing the fixture twice, into two fresh databases and from either source, gives every
// user its Django pk as id both times: the application's foreign keys to auth_user keep
// naming the same people.
func TestImportKeepsDjangoPKs(t *testing.T) {
	want := fixturePKs(t)
	for name, args := range map[string][]string{
		"dumpdata": {"--dumpdata", dumpdataFile},
		"database": {"--from-dsn", djangoDatabase(t)},
	} {
		env := gatehouseEnv(t)
		expectOutput(t, env, args, firstRun)
		if got := gatehouseIDs(t, env["GATEHOUSE_MYSQL_DSN"]); !maps.Equal(got, want) {
			t.Errorf("import from the %s: ids = %v, want the pks %v", name, got, want)
		}
	}
}

// fixturePKs maps the username of every user the import brings over to its pk.
func fixturePKs(t *testing.T) map[string]int64 {
	t.Helper()
	f, err := os.Open(dumpdataFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pks := map[string]int64{}
	for rec, err := range django.NewDumpdata(f).Records() {
		if err != nil {
			t.Fatal(err)
		}
		if u := rec.User; u != nil && !skippedUsers[u.Username] {
			pks[u.Username] = u.SourceID
		}
	}
	return pks
}

// gatehouseIDs maps the username of every Gatehouse user to its id.
func gatehouseIDs(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, row := range query(t, dsn, "SELECT username, id FROM gatehouse_users") {
		id, err := strconv.ParseInt(row[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		ids[row[0]] = id
	}
	return ids
}

// gatehouseTables lists the tables of the database at dsn.
func gatehouseTables(t *testing.T, dsn string) []string {
	t.Helper()
	var names []string
	for _, row := range query(t, dsn, "SHOW TABLES") {
		names = append(names, row[0])
	}
	return names
}

// query runs a read and returns its rows as strings.
func query(t *testing.T, dsn, q string) [][]string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		row := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
