package mysqlstore

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.CodeStore = (*CodeStore)(nil)

// CodeStore implements ports.CodeStore on the gatehouse_codes table (see credentials). A code
// has no public id; it is never updated: created, then consumed (deleted) or swept.
type CodeStore struct {
	credentials[codeRow, *codeRow, domain.OneTimeCode]
}

// NewCodeStore returns the code store of db.
func NewCodeStore(db *DB, clock ports.Clock) *CodeStore {
	return &CodeStore{credentials[codeRow, *codeRow, domain.OneTimeCode]{db: db, clock: clock, t: table{
		name: "gatehouse_codes", hash: "hash", live: expiresLive,
		columns: `user_id, purpose, email, data, created_at, expires_at`,
	}}}
}

// codeRow is a code's row. Data is NULL for a code without it (migration 8), which scans as
// nil.
type codeRow struct {
	UserID               int64
	Purpose, Email       string
	Data                 []byte
	CreatedAt, ExpiresAt time.Time
}

func (r *codeRow) fields() []any {
	return []any{&r.UserID, &r.Purpose, &r.Email, &r.Data, &r.CreatedAt, &r.ExpiresAt}
}

func (r *codeRow) value(h domain.SecretHash) domain.OneTimeCode {
	return domain.OneTimeCode{Purpose: domain.CodePurpose(r.Purpose), UserID: domain.UserID(r.UserID), Hash: h,
		Email: r.Email, Data: r.Data, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

// CreateCode implements ports.CodeStore. A duplicate hash is refused by the primary key, even
// when the code holding it has expired and not been swept yet: both are random, so it does
// not happen.
func (s *CodeStore) CreateCode(ctx context.Context, c domain.OneTimeCode) error {
	return s.create(ctx, c.Hash, codeRow{int64(c.UserID), string(c.Purpose), c.Email, codeData(c.Data),
		c.CreatedAt.UTC(), c.ExpiresAt.UTC()})
}

// codeData returns what the data column gets for b: NULL for no Data, empty or nil alike.
func codeData(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// ConsumeCode implements ports.CodeStore in two statements: a read of the live code, then
// the DELETE that decides. The DELETE takes the row's exclusive lock, so of concurrent
// consumers exactly one deletes the row (one affected row) and the others, waiting on the
// lock, find it gone (none) and get domain.ErrNotFound. What the winner read is what it
// deleted: a code is never updated. This needs neither a transaction nor DELETE … RETURNING,
// which MySQL 8.0 lacks.
func (s *CodeStore) ConsumeCode(ctx context.Context, purpose domain.CodePurpose, h domain.SecretHash) (domain.OneTimeCode, error) {
	now := s.now()
	var r codeRow
	err := func() error {
		ctx, cancel := s.db.ctx(ctx)
		defer cancel()
		return s.db.x.QueryRowContext(ctx, `SELECT `+s.t.columns+` FROM gatehouse_codes
			WHERE hash = ? AND purpose = ? AND expires_at > ?`, h[:], string(purpose), now).Scan(r.fields()...)
	}()
	if err != nil {
		return domain.OneTimeCode{}, translate(err)
	}
	err = s.db.execOne(ctx, `DELETE FROM gatehouse_codes WHERE hash = ? AND purpose = ? AND expires_at > ?`,
		h[:], string(purpose), now)
	if err != nil {
		return domain.OneTimeCode{}, err
	}
	return r.value(h), nil
}

// DeleteUserCodes implements ports.CodeStore. Expired codes are left to the sweeper, so the
// count is of live codes only.
func (s *CodeStore) DeleteUserCodes(ctx context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error) {
	now := s.now()
	if purpose == "" {
		return s.db.exec(ctx, `DELETE FROM gatehouse_codes WHERE user_id = ? AND expires_at > ?`, int64(user), now)
	}
	return s.db.exec(ctx, `DELETE FROM gatehouse_codes WHERE user_id = ? AND purpose = ? AND expires_at > ?`,
		int64(user), string(purpose), now)
}
