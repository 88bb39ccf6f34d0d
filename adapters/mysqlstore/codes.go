package mysqlstore

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.CodeStore = (*CodeStore)(nil)

// CodeStore implements ports.CodeStore on the gatehouse_codes table. Expiry is judged by the
// injected clock, as for sessions.
type CodeStore struct {
	db    *DB
	clock ports.Clock
}

// NewCodeStore returns the code store of db.
func NewCodeStore(db *DB, clock ports.Clock) *CodeStore {
	return &CodeStore{db: db, clock: clock}
}

// CreateCode implements ports.CodeStore. A duplicate hash is refused by the primary key, even
// when the code holding it has expired and not been swept yet: both are random, so it does
// not happen.
func (s *CodeStore) CreateCode(ctx context.Context, c domain.OneTimeCode) error {
	_, err := s.db.exec(ctx, `INSERT INTO gatehouse_codes (hash, user_id, purpose, email, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		c.Hash[:], int64(c.UserID), string(c.Purpose), c.Email, c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	return err
}

// ConsumeCode implements ports.CodeStore in two statements: a read of the live code, then
// the DELETE that decides. The DELETE takes the row's exclusive lock, so of concurrent
// consumers exactly one deletes the row (one affected row) and the others, waiting on the
// lock, find it gone (none) and get domain.ErrNotFound. What the winner read is what it
// deleted: a code is never updated. This needs neither a transaction nor DELETE … RETURNING,
// which MySQL 8.0 lacks.
func (s *CodeStore) ConsumeCode(ctx context.Context, purpose domain.CodePurpose, h domain.SecretHash) (domain.OneTimeCode, error) {
	now := s.clock.Now().UTC()
	c := domain.OneTimeCode{Purpose: purpose, Hash: h}
	var user int64
	err := func() error {
		ctx, cancel := s.db.ctx(ctx)
		defer cancel()
		return s.db.x.QueryRowContext(ctx, `SELECT user_id, email, created_at, expires_at FROM gatehouse_codes
			WHERE hash = ? AND purpose = ? AND expires_at > ?`, h[:], string(purpose), now).
			Scan(&user, &c.Email, &c.CreatedAt, &c.ExpiresAt)
	}()
	if err != nil {
		return domain.OneTimeCode{}, translate(err)
	}
	err = s.db.execOne(ctx, `DELETE FROM gatehouse_codes WHERE hash = ? AND purpose = ? AND expires_at > ?`,
		h[:], string(purpose), now)
	if err != nil {
		return domain.OneTimeCode{}, err
	}
	c.UserID, c.CreatedAt, c.ExpiresAt = domain.UserID(user), c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return c, nil
}

// DeleteUserCodes implements ports.CodeStore. Expired codes are left to the sweeper, so the
// count is of live codes only.
func (s *CodeStore) DeleteUserCodes(ctx context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error) {
	now := s.clock.Now().UTC()
	if purpose == "" {
		return s.db.exec(ctx, `DELETE FROM gatehouse_codes WHERE user_id = ? AND expires_at > ?`, int64(user), now)
	}
	return s.db.exec(ctx, `DELETE FROM gatehouse_codes WHERE user_id = ? AND purpose = ? AND expires_at > ?`,
		int64(user), string(purpose), now)
}

// Sweep deletes expired codes in small batches (see sweepExpired).
func (s *CodeStore) Sweep(ctx context.Context) (int, error) {
	return s.db.sweepExpired(ctx, "gatehouse_codes", s.clock.Now().UTC())
}
