package contract_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/ports"
	"github.com/gatehouse/gatehouse/tests/contract"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// TestMySQL runs the suite against MySQL/MariaDB at GATEHOUSE_TEST_MYSQL_DSN, in a database
// created for this run and dropped after it. Every case isolates itself by its own ids and
// names, so the cases share that one database; the stores judge expiry by the suite's clock.
// MySQL has no rate limiter, so the RateLimiter cases skip.
func TestMySQL(t *testing.T) {
	db, closeDB, err := mysqlstore.Open(context.Background(), mysqlstore.Config{
		DSN: testenv.MySQLDSN(t), MaxOpenConns: 60, MaxIdleConns: 60, ConnMaxLifetime: time.Minute,
		QueryTimeout: 10 * time.Second, AutoMigrate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeDB)
	contract.Run(t, contract.Factory{
		Name:     "mysql",
		Users:    func(*testing.T) ports.UserStore { return mysqlstore.NewUserStore(db) },
		Sessions: func(_ *testing.T, c ports.Clock) ports.SessionStore { return mysqlstore.NewSessionStore(db, c) },
		Tokens:   func(_ *testing.T, c ports.Clock) ports.TokenStore { return mysqlstore.NewTokenStore(db, c) },
		Codes:    func(_ *testing.T, c ports.Clock) ports.CodeStore { return mysqlstore.NewCodeStore(db, c) },
		Factors:  func(*testing.T) ports.FactorStore { return mysqlstore.NewFactorStore(db) },
		Passkeys: func(*testing.T) (ports.PasskeyStore, ports.FactorStore) {
			s := mysqlstore.NewFactorStore(db)
			return s, s
		},
		ExactExpiry: true,
	})
}
