// Package testenv gives tests the real services they need — a fresh MySQL database, for
// now — and decides what happens when a service is missing: skip with a message naming the
// variable, or fail when GATEHOUSE_REQUIRE_SERVICES=1 (as CI sets). It also builds and runs
// the gatehouse binary for the black-box suites (BuildGatehouse, StartProcess).
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// DefaultMySQLDSN is the server tried when GATEHOUSE_TEST_MYSQL_DSN is unset.
const DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/"

// unavailable skips or fails t because a service cannot be used.
func unavailable(t testing.TB, variable string, err error) {
	t.Helper()
	if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s: service required (GATEHOUSE_REQUIRE_SERVICES=1) but unavailable: %v", variable, err)
	}
	t.Skipf("skipping: set %s to a reachable server to run this test (%v)", variable, err)
}

// MySQLDSN creates an empty database with a random name on the test server and returns a
// DSN for it; the database is dropped when t ends, so runs never see each other's rows.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("GATEHOUSE_TEST_MYSQL_DSN")
	if base == "" {
		base = DefaultMySQLDSN
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("GATEHOUSE_TEST_MYSQL_DSN: %v", err)
	}
	cfg.DBName = ""
	cfg.Timeout = 3 * time.Second
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("GATEHOUSE_TEST_MYSQL_DSN: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		unavailable(t, "GATEHOUSE_TEST_MYSQL_DSN", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "gatehouse_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
		admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
