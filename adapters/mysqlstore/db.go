// Package mysqlstore keeps users, sessions and tokens in MySQL or MariaDB through sqlx and
// go-sql-driver/mysql. Secrets are stored only as SHA-256 hashes; the schema is created and
// upgraded by embedded migrations (migrate.go).
package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// Config holds the connection settings.
type Config struct {
	// DSN is a go-sql-driver/mysql data source name, e.g. "user:pass@tcp(host:3306)/gatehouse".
	DSN             string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// QueryTimeout bounds every statement, so a stalled server turns into a quick 503
	// instead of requests piling up.
	QueryTimeout time.Duration
	// AutoMigrate applies pending migrations when the store opens.
	AutoMigrate bool
}

// DB is an open connection pool.
type DB struct {
	x       *sqlx.DB
	timeout time.Duration
}

// Open connects, checks that the server answers, and checks the schema version: it applies
// pending migrations when cfg.AutoMigrate is set and refuses a schema it does not know. The
// returned function closes the pool.
func Open(ctx context.Context, cfg Config) (*DB, func(), error) {
	db, err := Connect(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := db.checkSchema(ctx, cfg.AutoMigrate); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, db.Close, nil
}

// Connect opens the pool and pings the server, without looking at the schema.
func Connect(ctx context.Context, cfg Config) (*DB, error) {
	dsn, err := normalizeDSN(cfg.DSN)
	if err != nil {
		return nil, err
	}
	x, err := sqlx.Open("mysql", dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql: %w", err)
	}
	x.SetMaxOpenConns(cfg.MaxOpenConns)
	x.SetMaxIdleConns(cfg.MaxIdleConns)
	x.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	db := &DB{x: x, timeout: cfg.QueryTimeout}
	if db.timeout <= 0 {
		db.timeout = 5 * time.Second
	}
	if err := db.Ping(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("mysql: cannot reach the server: %w", err)
	}
	return db, nil
}

// ValidDSN reports whether dsn parses as a go-sql-driver/mysql data source name.
func ValidDSN(dsn string) bool {
	_, err := mysql.ParseDSN(dsn)
	return err == nil
}

// normalizeDSN forces the connection options the stores rely on, whatever the operator wrote.
func normalizeDSN(dsn string) (string, error) {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		// The driver's message can quote the DSN, password and all.
		return "", errors.New("mysql: GATEHOUSE_MYSQL_DSN is not a valid DSN")
	}
	c.ParseTime = true
	c.Loc = time.UTC
	// utf8mb4 holds every Unicode username; the driver only interpolates parameters for
	// charsets where that is safe, and interpolation saves a prepare round trip per query.
	c.Collation = "utf8mb4_general_ci"
	c.InterpolateParams = true
	// Report matched rather than changed rows, so an UPDATE that writes equal values is
	// still told apart from one that found nothing.
	c.ClientFoundRows = true
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["time_zone"] = "'+00:00'"
	return c.FormatDSN(), nil
}

// Close closes the pool.
func (db *DB) Close() { _ = db.x.Close() }

// Name implements ports.Pinger.
func (db *DB) Name() string { return "mysql" }

// Ping implements ports.Pinger.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := db.ctx(ctx)
	defer cancel()
	return translate(db.x.PingContext(ctx))
}

// ctx bounds one statement by the query timeout.
func (db *DB) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, db.timeout)
}

// deadlockRetries is how many times a statement chosen as a deadlock victim runs again.
const deadlockRetries = 10

// write runs one autocommitted statement. InnoDB may pick it as the victim of a deadlock —
// inserts of one unique key racing a delete of it all hold shared locks on the key and then
// each wants it exclusively — and rolls it back; the statement did nothing then, so running it
// again is safe, as the MySQL manual asks of applications. A short random pause lets the
// winner commit first, so a crowd of racers does not deadlock again in step.
func (db *DB) write(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, cancel := db.ctx(ctx)
	defer cancel()
	for try := 1; ; try++ {
		res, err := db.x.ExecContext(ctx, query, args...)
		if !deadlocked(err) || try > deadlockRetries {
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(2*try)) * time.Millisecond):
		}
	}
}

// tx runs do in a transaction and commits it. A transaction InnoDB rolled back to break a deadlock is run again from the start, as in
// write: do must return the driver's errors untranslated, so that one is recognized, and must
// have no effect outside the transaction.
func (db *DB) tx(ctx context.Context, do func(ctx context.Context, tx *sqlx.Tx) error) error {
	ctx, cancel := db.ctx(ctx)
	defer cancel()
	for try := 1; ; try++ {
		err := db.txOnce(ctx, do)
		if !deadlocked(err) || try > deadlockRetries {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(2*try)) * time.Millisecond):
		}
	}
}

func (db *DB) txOnce(ctx context.Context, do func(ctx context.Context, tx *sqlx.Tx) error) error {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := do(ctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
