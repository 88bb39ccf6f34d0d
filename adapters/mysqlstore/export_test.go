package mysqlstore

// ExecForTest runs a raw statement, so tests can set up states the stores never produce.
func ExecForTest(db *DB, query string) error {
	_, err := db.x.Exec(query)
	return err
}
