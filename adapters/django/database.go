package django

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/gatehouse/gatehouse/domain"
)

// Database reads a Django project's database on MySQL or MariaDB: the auth_user table of
// django.contrib.auth and, when Django REST Framework's authtoken app is installed, the
// authtoken_token table. It only reads.
type Database struct {
	x *sqlx.DB
	// HasTokens is set when the database has an authtoken_token table.
	HasTokens bool
}

// OpenDatabase connects to the Django database dsn (a go-sql-driver/mysql DSN) and looks for
// its tables. Datetimes are read as UTC, which is how Django stores them with USE_TZ on.
// The returned errors never quote dsn, which may hold a password.
func OpenDatabase(ctx context.Context, dsn string) (*Database, error) {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, errors.New("django database: not a valid DSN")
	}
	if c.DBName == "" {
		return nil, errors.New("django database: the DSN names no database")
	}
	c.ParseTime = true
	c.Loc = time.UTC
	c.Collation = "utf8mb4_general_ci"
	x, err := sqlx.Open("mysql", c.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("django database: %v", err)
	}
	x.SetMaxOpenConns(2)
	d := &Database{x: x}
	if err := d.inspect(ctx); err != nil {
		x.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the connections.
func (d *Database) Close() error { return d.x.Close() }

// inspect checks that auth_user exists and whether authtoken_token does, in the DSN's database.
func (d *Database) inspect(ctx context.Context) error {
	var tables []string
	err := d.x.SelectContext(ctx, &tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name IN ('auth_user', 'authtoken_token')`)
	if err != nil {
		return fmt.Errorf("django database: cannot list tables: %v", err)
	}
	var users bool
	for _, t := range tables {
		users = users || t == "auth_user"
		d.HasTokens = d.HasTokens || t == "authtoken_token"
	}
	if !users {
		return errors.New("django database: no auth_user table (a custom user model is not supported)")
	}
	return nil
}

// Count returns how many users and tokens Records will yield, for progress reports.
func (d *Database) Count(ctx context.Context) (users, tokens int, err error) {
	if err := d.x.GetContext(ctx, &users, `SELECT COUNT(*) FROM auth_user`); err != nil {
		return 0, 0, fmt.Errorf("django database: counting auth_user: %v", err)
	}
	if d.HasTokens {
		if err := d.x.GetContext(ctx, &tokens, `SELECT COUNT(*) FROM authtoken_token`); err != nil {
			return 0, 0, fmt.Errorf("django database: counting authtoken_token: %v", err)
		}
	}
	return users, tokens, nil
}

type userRow struct {
	ID         int64     `db:"id"`
	Password   string    `db:"password"`
	Username   string    `db:"username"`
	Email      string    `db:"email"`
	IsActive   bool      `db:"is_active"`
	DateJoined time.Time `db:"date_joined"`
}

type tokenRow struct {
	Key     string    `db:"key"`
	UserID  int64     `db:"user_id"`
	Created time.Time `db:"created"`
}

// Records yields every user by primary key, then every token, reading row by row so a large
// table is never held in memory. ctx bounds the whole read.
func (d *Database) Records(ctx context.Context) iter.Seq2[domain.ImportRecord, error] {
	return func(yield func(domain.ImportRecord, error) bool) {
		ok := stream(ctx, d.x, "auth_user", `SELECT id, password, username, COALESCE(email, '') AS email,
			is_active, date_joined FROM auth_user ORDER BY id`,
			func(r userRow) domain.ImportRecord {
				return domain.ImportRecord{User: &domain.ImportedUser{SourceID: r.ID, Username: r.Username, Email: r.Email,
					PasswordHash: r.Password, IsActive: r.IsActive, DateJoined: r.DateJoined.UTC()}}
			}, yield)
		if !ok || !d.HasTokens {
			return
		}
		stream(ctx, d.x, "authtoken_token", "SELECT `key`, user_id, created FROM authtoken_token ORDER BY user_id",
			func(r tokenRow) domain.ImportRecord {
				return domain.ImportRecord{Token: &domain.ImportedToken{Key: r.Key, SourceUserID: r.UserID, Created: r.Created.UTC()}}
			}, yield)
	}
}

// stream yields each row of query converted by conv; it returns false when it stopped early,
// on an error or because the consumer did.
func stream[R any](ctx context.Context, x *sqlx.DB, table, query string, conv func(R) domain.ImportRecord,
	yield func(domain.ImportRecord, error) bool) bool {
	rows, err := x.QueryxContext(ctx, query)
	if err != nil {
		yield(domain.ImportRecord{}, fmt.Errorf("django database: reading %s: %v", table, err))
		return false
	}
	defer rows.Close()
	for rows.Next() {
		var r R
		if err := rows.StructScan(&r); err != nil {
			yield(domain.ImportRecord{}, fmt.Errorf("django database: reading %s: %v", table, err))
			return false
		}
		if !yield(conv(r), nil) {
			return false
		}
	}
	if err := rows.Err(); err != nil {
		yield(domain.ImportRecord{}, fmt.Errorf("django database: reading %s: %v", table, err))
		return false
	}
	return true
}
