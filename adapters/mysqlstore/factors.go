package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.FactorStore = (*FactorStore)(nil)

// FactorStore implements ports.FactorStore on the gatehouse_totp table (migration 00007), and
// ports.PasskeyStore on gatehouse_passkeys (passkeys.go).
// Every compare-and-set of the port is one UPDATE whose WHERE clause is the comparison: InnoDB
// locks the row while it evaluates and writes it, so concurrent calls take turns, and the
// count of matched rows (ClientFoundRows) says whether the set happened.
type FactorStore struct{ db *DB }

// NewFactorStore returns the factor store of db.
func NewFactorStore(db *DB) *FactorStore { return &FactorStore{db: db} }

const totpColumns = `sealed, confirmed, created_at, last_step, last_used_at`

// putTOTPTries bounds PutTOTP's rounds: each ends when a concurrent writer changed the row
// between its two statements, which takes a racing enrolment of the same user.
const putTOTPTries = 3

// PutTOTP implements ports.FactorStore: it replaces an unconfirmed row, else inserts one. An
// insert that meets a row is told apart by a read: a confirmed factor is ErrFactorExists; an
// enrolment that a concurrent call just wrote is replaced in the next round.
func (s *FactorStore) PutTOTP(ctx context.Context, f domain.TOTPFactor) error {
	args := []any{f.Sealed, f.Confirmed, f.CreatedAt.UTC(), f.LastStep, nullTime(f.LastUsedAt)}
	for range putTOTPTries {
		n, err := s.db.exec(ctx, `UPDATE gatehouse_totp SET sealed = ?, confirmed = ?, created_at = ?,
			last_step = ?, last_used_at = ? WHERE user_id = ? AND NOT confirmed`, append(args, int64(f.UserID))...)
		if err != nil || n == 1 {
			return err
		}
		_, err = s.db.write(ctx, `INSERT INTO gatehouse_totp (user_id, `+totpColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			append([]any{int64(f.UserID)}, args...)...)
		if !duplicate(err) {
			return translate(err)
		}
		cur, err := s.TOTP(ctx, f.UserID)
		switch {
		case err == nil && cur.Confirmed:
			return domain.ErrFactorExists
		case err != nil && !errors.Is(err, domain.ErrNotFound):
			return err
		}
	}
	return domain.ErrFactorExists
}

// TOTP implements ports.FactorStore.
func (s *FactorStore) TOTP(ctx context.Context, user domain.UserID) (domain.TOTPFactor, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	f := domain.TOTPFactor{UserID: user}
	var used sql.NullTime
	err := s.db.x.QueryRowContext(ctx, `SELECT `+totpColumns+` FROM gatehouse_totp WHERE user_id = ?`, int64(user)).
		Scan(&f.Sealed, &f.Confirmed, &f.CreatedAt, &f.LastStep, &used)
	if err != nil {
		return domain.TOTPFactor{}, translate(err)
	}
	f.CreatedAt = f.CreatedAt.UTC()
	if used.Valid {
		f.LastUsedAt = used.Time.UTC()
	}
	return f, nil
}

// ConfirmTOTP implements ports.FactorStore.
func (s *FactorStore) ConfirmTOTP(ctx context.Context, user domain.UserID, sealed []byte, step int64) error {
	return s.db.execOne(ctx, `UPDATE gatehouse_totp SET confirmed = TRUE, last_step = ?
		WHERE user_id = ? AND NOT confirmed AND sealed = ?`, step, int64(user), sealed)
}

// UseTOTPStep implements ports.FactorStore. When the UPDATE matches nothing, a read tells a
// stale step (false) from a missing or unconfirmed factor (ErrNotFound).
func (s *FactorStore) UseTOTPStep(ctx context.Context, user domain.UserID, step int64, at time.Time) (bool, error) {
	n, err := s.db.exec(ctx, `UPDATE gatehouse_totp SET last_step = ?, last_used_at = ?
		WHERE user_id = ? AND confirmed AND last_step < ?`, step, at.UTC(), int64(user), step)
	if err != nil || n == 1 {
		return n == 1, err
	}
	f, err := s.TOTP(ctx, user)
	if err == nil && !f.Confirmed {
		err = domain.ErrNotFound
	}
	return false, err
}

// Reseal implements ports.FactorStore.
func (s *FactorStore) Reseal(ctx context.Context, user domain.UserID, old, new []byte) error {
	return s.db.execOne(ctx, `UPDATE gatehouse_totp SET sealed = ? WHERE user_id = ? AND sealed = ?`,
		new, int64(user), old)
}

// DeleteTOTP implements ports.FactorStore.
func (s *FactorStore) DeleteTOTP(ctx context.Context, user domain.UserID) error {
	return s.db.execOne(ctx, `DELETE FROM gatehouse_totp WHERE user_id = ?`, int64(user))
}

// DeleteUserFactors implements ports.FactorStore: the TOTP factor, the passkeys, and the
// user's lock row for adding passkeys (passkeys.go). Each DELETE is one statement and all are
// idempotent, so a failure between them leaves what a second call removes.
func (s *FactorStore) DeleteUserFactors(ctx context.Context, user domain.UserID) error {
	for _, table := range []string{"gatehouse_totp", "gatehouse_passkeys", "gatehouse_passkey_users"} {
		if _, err := s.db.exec(ctx, `DELETE FROM `+table+` WHERE user_id = ?`, int64(user)); err != nil {
			return err
		}
	}
	return nil
}

// AnyFactors implements ports.FactorStore.
func (s *FactorStore) AnyFactors(ctx context.Context) (bool, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	var found bool
	err := s.db.x.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM gatehouse_totp)`).Scan(&found)
	return found, translate(err)
}
