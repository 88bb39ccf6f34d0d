package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gatehouse/gatehouse/domain"
)

// UserStore implements ports.UserStore on the gatehouse_users table.
type UserStore struct{ db *DB }

// NewUserStore returns the user store of db.
func NewUserStore(db *DB) *UserStore { return &UserStore{db: db} }

type userRow struct {
	ID            int64     `db:"id"`
	Username      string    `db:"username"`
	Email         string    `db:"email"`
	EmailVerified bool      `db:"email_verified"`
	PasswordHash  string    `db:"password_hash"`
	IsActive      bool      `db:"is_active"`
	DateJoined    time.Time `db:"date_joined"`
}

func (r userRow) user() domain.User {
	return domain.User{ID: domain.UserID(r.ID), Username: r.Username, Email: r.Email, EmailVerified: r.EmailVerified,
		PasswordHash: r.PasswordHash, IsActive: r.IsActive, DateJoined: r.DateJoined.UTC()}
}

const userColumns = `id, username, email, email_verified, password_hash, is_active, date_joined`

// CreateUser inserts u. The unique key on username_key makes concurrent signups of one name
// race safely: exactly one insert wins and the others get ErrUsernameTaken. Under
// domain.EmailUnique the address is checked and claimed as migration 00004 explains.
//
// InnoDB takes an AUTO_INCREMENT value before it inserts the row, so an import of that very
// ID (see ImportUser) may land in between; the insert then meets the primary key, and the
// next value, already above the imported ID, is free unless imports keep racing for it.
func (s *UserStore) CreateUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	u.ID = 0 // AUTO_INCREMENT picks it
	for range 16 {
		created, err := s.insert(ctx, u, rule)
		if !errors.Is(err, domain.ErrUserIDTaken) {
			return created, err
		}
	}
	return domain.User{}, errors.New("mysqlstore: every new user ID was taken by an import meanwhile")
}

// ImportUser implements ports.UserStore with an explicit id in the insert: the primary key
// makes concurrent imports of one ID race safely, and InnoDB moves the AUTO_INCREMENT counter
// past an explicit id by itself, so CreateUser never hands an imported ID out.
func (s *UserStore) ImportUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	if u.ID < 1 {
		return domain.User{}, fmt.Errorf("mysqlstore: imported user ID %d is below 1", u.ID)
	}
	return s.insert(ctx, u, rule)
}

// insert writes u under u.ID, or under a new ID when u.ID is 0. Errors come in the order
// the port gives them: ErrUserIDTaken, ErrUsernameTaken, ErrEmailTaken.
func (s *UserStore) insert(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	key := domain.EmailKey(u.Email)
	claim, err := s.claimFor(ctx, key, 0, rule)
	if errors.Is(err, domain.ErrEmailTaken) {
		// The other errors come first, as the insert's duplicate key would report them.
		if u.ID != 0 {
			if _, idErr := s.UserByID(ctx, u.ID); idErr == nil {
				return domain.User{}, domain.ErrUserIDTaken
			}
		}
		if _, nameErr := s.UserByUsername(ctx, u.Username); nameErr == nil {
			return domain.User{}, domain.ErrUsernameTaken
		}
	}
	if err != nil {
		return domain.User{}, err
	}
	var id any // NULL: AUTO_INCREMENT assigns the next ID
	if u.ID != 0 {
		id = int64(u.ID)
	}
	res, err := s.db.write(ctx,
		`INSERT INTO gatehouse_users (id, username, username_key, email, email_key, email_verified, email_claim,
		 password_hash, is_active, date_joined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, u.Username, u.Key(), u.Email, key, u.EmailVerified, claim, u.PasswordHash, u.IsActive, u.DateJoined.UTC())
	if duplicate(err) {
		// InnoDB reports the first unique index that fails, in the order of their definition,
		// the primary key first.
		switch {
		case duplicateOf(err, "PRIMARY"):
			return domain.User{}, domain.ErrUserIDTaken
		case duplicateOf(err, "email_claim"):
			return domain.User{}, domain.ErrEmailTaken
		}
		return domain.User{}, domain.ErrUsernameTaken
	}
	if err != nil {
		return domain.User{}, translate(err)
	}
	if u.ID == 0 {
		newID, err := res.LastInsertId()
		if err != nil {
			return domain.User{}, translate(err)
		}
		u.ID = domain.UserID(newID)
	}
	u.DateJoined = u.DateJoined.UTC()
	return u, nil
}

// claimFor returns the email_claim value that a write of the address key by user id (0 for
// a new one) stores under rule: NULL for a shared or empty address, the key for a unique
// one, after checking that no other row has the key; domain.ErrEmailTaken if one has.
func (s *UserStore) claimFor(ctx context.Context, key string, id domain.UserID, rule domain.EmailRule) (any, error) {
	if rule != domain.EmailUnique || key == "" {
		return nil, nil
	}
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var taken bool
	err := s.db.x.GetContext(ctx, &taken,
		`SELECT EXISTS (SELECT 1 FROM gatehouse_users WHERE email_key = ? AND id <> ?)`, key, int64(id))
	if err != nil {
		return nil, translate(err)
	}
	if taken {
		return nil, domain.ErrEmailTaken
	}
	return key, nil
}

// duplicateOf reports whether err is a duplicate key on the named index.
func duplicateOf(err error, index string) bool {
	var my *mysql.MySQLError
	return errors.As(err, &my) && strings.Contains(my.Message, index)
}

// SetEmail implements ports.UserStore. The new address is checked and claimed as in
// CreateUser; the old claim goes in the same statement, so the old address is free at once.
// The own address in another spelling keeps its claim, which other users sharing the key
// (an import) may lack. Each write is guarded by the address read before it, so a concurrent
// change makes it try again rather than mix two addresses in one row.
func (s *UserStore) SetEmail(ctx context.Context, id domain.UserID, email string, rule domain.EmailRule) error {
	key := domain.EmailKey(email)
	for range 3 {
		cur, err := s.UserByID(ctx, id)
		if err != nil {
			return err
		}
		var res sql.Result
		if domain.EmailKey(cur.Email) == key {
			res, err = s.db.write(ctx, `UPDATE gatehouse_users SET email = ?, email_key = ?, email_verified = ?
				WHERE id = ? AND email = ?`, email, key, key != "", int64(id), cur.Email)
		} else {
			var claim any
			if claim, err = s.claimFor(ctx, key, id, rule); err != nil {
				return err
			}
			res, err = s.db.write(ctx, `UPDATE gatehouse_users SET email = ?, email_key = ?, email_verified = ?,
				email_claim = ? WHERE id = ? AND email = ?`, email, key, key != "", claim, int64(id), cur.Email)
		}
		if duplicate(err) {
			return domain.ErrEmailTaken // the only unique key this statement writes
		}
		if err != nil {
			return translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return translate(err)
		}
	}
	return domain.ErrNotFound
}

// MarkEmailVerified implements ports.UserStore. Keys are compared here rather than by
// email_key, which rows from before migration 00003 hold only approximately; the update is
// guarded by the address compared.
func (s *UserStore) MarkEmailVerified(ctx context.Context, id domain.UserID, email string) error {
	key := domain.EmailKey(email)
	cur, err := s.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if key == "" || domain.EmailKey(cur.Email) != key {
		return domain.ErrNotFound
	}
	return s.db.execOne(ctx, `UPDATE gatehouse_users SET email_verified = TRUE WHERE id = ? AND email = ?`,
		int64(id), cur.Email)
}

// UserByID implements ports.UserStore.
func (s *UserStore) UserByID(ctx context.Context, id domain.UserID) (domain.User, error) {
	return s.one(ctx, `SELECT `+userColumns+` FROM gatehouse_users WHERE id = ?`, int64(id))
}

// UserByUsername implements ports.UserStore.
func (s *UserStore) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	return s.one(ctx, `SELECT `+userColumns+` FROM gatehouse_users WHERE username_key = ?`, domain.UsernameKey(username))
}

// UsersByEmail implements ports.UserStore through the index on email_key (migration 00003).
func (s *UserStore) UsersByEmail(ctx context.Context, email string) ([]domain.User, error) {
	key := domain.EmailKey(email)
	if key == "" {
		return []domain.User{}, nil
	}
	return s.many(ctx, `SELECT `+userColumns+` FROM gatehouse_users WHERE email_key = ? ORDER BY id`, key)
}

func (s *UserStore) many(ctx context.Context, query string, args ...any) ([]domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var rows []userRow
	if err := s.db.x.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, translate(err)
	}
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

func (s *UserStore) one(ctx context.Context, query string, arg any) (domain.User, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var r userRow
	if err := s.db.x.GetContext(ctx, &r, query, arg); err != nil {
		return domain.User{}, translate(err)
	}
	return r.user(), nil
}

// SetPasswordHash implements ports.UserStore.
func (s *UserStore) SetPasswordHash(ctx context.Context, id domain.UserID, old, hash string) error {
	return s.db.execOne(ctx, `UPDATE gatehouse_users SET password_hash = ? WHERE id = ? AND password_hash = ?`,
		hash, int64(id), old)
}

// SetActive implements ports.UserStore. MySQL reports a row whose value did not change as
// unaffected, so the existence check is a separate read.
func (s *UserStore) SetActive(ctx context.Context, id domain.UserID, active bool) error {
	if _, err := s.db.exec(ctx, `UPDATE gatehouse_users SET is_active = ? WHERE id = ?`, active, int64(id)); err != nil {
		return err
	}
	_, err := s.UserByID(ctx, id)
	return err
}

// DeleteUser implements ports.UserStore. The row and its unique username_key go in one
// statement, so the name is free at once. AUTO_INCREMENT does not hand a deleted ID out again
// (InnoDB keeps the counter, persisted across restarts since MySQL 8.0 and MariaDB 10.2.4).
// Sessions and tokens have no foreign key to users, since they may live in another backend.
func (s *UserStore) DeleteUser(ctx context.Context, id domain.UserID) error {
	return s.db.execOne(ctx, `DELETE FROM gatehouse_users WHERE id = ?`, int64(id))
}

// ListUsers implements ports.UserStore.
func (s *UserStore) ListUsers(ctx context.Context, after domain.UserID, limit int) ([]domain.User, error) {
	return s.many(ctx, `SELECT `+userColumns+` FROM gatehouse_users WHERE id > ? ORDER BY id LIMIT ?`, int64(after), limit)
}

// execOne runs a statement that must match at least one row, or reports ErrNotFound.
func (db *DB) execOne(ctx context.Context, query string, args ...any) error {
	n, err := db.exec(ctx, query, args...)
	if err == nil && n == 0 {
		return domain.ErrNotFound
	}
	return err
}

// exec runs a statement and returns the number of rows it matched.
func (db *DB) exec(ctx context.Context, query string, args ...any) (int, error) {
	res, err := db.write(ctx, query, args...)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return int(n), translate(err)
}
