package mysqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// table names a credential kind's table and the columns the shared statements use. Every
// credential table has a secret hash as primary key, user_id, created_at and expires_at;
// one with public ids has an id column too.
type table struct {
	name string
	// hash is the primary key's column: the SHA-256 of the secret.
	hash string
	// columns are the rest, in the order of the row type's fields.
	columns string
	// live is the condition that a row is live, with one parameter: now.
	live string
}

// expiresLive is the liveness of a table whose rows all have a deadline.
const expiresLive = `expires_at > ?`

// credentialRow is a pointer to the row type R of a credential kind C.
type credentialRow[R, C any] interface {
	*R
	// fields points at the row's values for table.columns, in order: what a read scans
	// into and what an insert writes.
	fields() []any
	// value is the row as a credential with secret hash h.
	value(h domain.SecretHash) C
}

// expiring is a credential that knows when it is past its deadline.
type expiring interface{ Expired(now time.Time) bool }

// credentials is the store of one credential kind on its table. Expiry is judged by the
// injected clock, not the server's, so every node and every test agree on it. The session,
// token and code stores are one each, plus the names their ports give its operations.
type credentials[R any, P credentialRow[R, C], C expiring] struct {
	db    *DB
	clock ports.Clock
	t     table
}

func (k credentials[R, P, C]) now() time.Time { return k.clock.Now().UTC() }

// create inserts the row r with secret hash h.
func (k credentials[R, P, C]) create(ctx context.Context, h domain.SecretHash, r R) error {
	args := append([]any{h[:]}, P(&r).fields()...)
	marks := strings.Repeat(", ?", len(args)-1)
	_, err := k.db.exec(ctx, `INSERT INTO `+k.t.name+` (`+k.t.hash+`, `+k.t.columns+`) VALUES (?`+marks+`)`, args...)
	return err
}

// get returns the live credential with secret hash h with one primary-key read.
//
// This is every request's read, so it is the cheapest one: the key alone in the WHERE clause
// (a liveness condition there makes the server weigh the expiry index and the client format a
// time on every request, about a sixth of the read's cost), expiry judged here by the same
// clock, the hash not read back, and the row scanned by hand rather than by sqlx's
// reflection.
func (k credentials[R, P, C]) get(ctx context.Context, h domain.SecretHash) (C, error) {
	ctx, cancel := k.db.ctx(ctx)
	defer cancel()
	var r R
	var zero C
	err := k.db.x.QueryRowContext(ctx, `SELECT `+k.t.columns+` FROM `+k.t.name+` WHERE `+k.t.hash+` = ?`, h[:]).
		Scan(P(&r).fields()...)
	if err != nil {
		return zero, translate(err)
	}
	c := P(&r).value(h)
	if c.Expired(k.clock.Now()) {
		return zero, domain.ErrNotFound
	}
	return c, nil
}

// touch sets the columns of set (such as "last_used_at = ?") to args in the live row with
// secret hash h.
func (k credentials[R, P, C]) touch(ctx context.Context, h domain.SecretHash, set string, args ...any) error {
	return k.db.execOne(ctx, `UPDATE `+k.t.name+` SET `+set+` WHERE `+k.t.hash+` = ? AND `+k.t.live,
		append(args, h[:], k.now())...)
}

// list returns user's live credentials, newest first (ties by id).
func (k credentials[R, P, C]) list(ctx context.Context, user domain.UserID) ([]C, error) {
	ctx, cancel := k.db.ctx(ctx)
	defer cancel()
	rows, err := k.db.x.QueryContext(ctx, `SELECT `+k.t.hash+`, `+k.t.columns+` FROM `+k.t.name+`
		WHERE user_id = ? AND `+k.t.live+` ORDER BY created_at DESC, id`, int64(user), k.now())
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []C{}
	for rows.Next() {
		var r R
		var hash []byte
		if err := rows.Scan(append([]any{&hash}, P(&r).fields()...)...); err != nil {
			return nil, translate(err)
		}
		var h domain.SecretHash
		copy(h[:], hash)
		out = append(out, P(&r).value(h))
	}
	return out, translate(rows.Err())
}

// remove deletes user's live credential with public id, or returns domain.ErrNotFound.
func (k credentials[R, P, C]) remove(ctx context.Context, user domain.UserID, id string) error {
	return k.db.execOne(ctx, `DELETE FROM `+k.t.name+` WHERE id = ? AND user_id = ? AND `+k.t.live,
		id, int64(user), k.now())
}

// removeUser deletes user's live credentials but the one with public id except, and counts
// them. Expired ones are left to the sweeper, so the count is of live ones only.
func (k credentials[R, P, C]) removeUser(ctx context.Context, user domain.UserID, except string) (int, error) {
	return k.db.exec(ctx, `DELETE FROM `+k.t.name+` WHERE user_id = ? AND id <> ? AND `+k.t.live,
		int64(user), except, k.now())
}

// Sweep deletes expired rows in small batches (see sweepExpired).
func (k credentials[R, P, C]) Sweep(ctx context.Context) (int, error) {
	return k.db.sweepExpired(ctx, k.t.name, k.now())
}
