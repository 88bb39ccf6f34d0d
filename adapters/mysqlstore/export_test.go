package mysqlstore

import "context"

// ExecForTest runs a raw statement, so tests can set up states the stores never produce.
func ExecForTest(db *DB, query string) error {
	_, err := db.x.Exec(query)
	return err
}

// UpToForTest applies the migrations up to version, so a test can write rows as an older
// Gatehouse did before the rest run.
func UpToForTest(db *DB, version int64) error {
	m, err := NewMigrator(db)
	if err != nil {
		return err
	}
	_, err = m.p.UpTo(context.Background(), version)
	return err
}

// TablesForTest lists the tables of the database, so a test can tell that nothing was created.
func TablesForTest(db *DB) ([]string, error) {
	var tables []string
	err := db.x.Select(&tables, "SHOW TABLES")
	return tables, err
}
