package mysqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.PasskeyStore = (*FactorStore)(nil)

// The FactorStore keeps passkeys too, on the gatehouse_passkeys table (migration 00009),
// keyed by user and the SHA-256 of the credential id; so DeleteUserFactors removes them.

const passkeyColumns = `credential_id, name, data, created_at, last_used_at`

// credentialHash is a passkey's key within its user's rows.
func credentialHash(id []byte) []byte {
	h := sha256.Sum256(id)
	return h[:]
}

// AddPasskey implements ports.PasskeyStore in one transaction: it locks the user's row of
// gatehouse_passkey_users (creating it on the first add), so the adds of one user take
// turns, then reads the user's passkeys and inserts. The read is a consistent read whose
// snapshot starts after the lock is held, so it sees every add that went before. Another
// user's adds lock another row and go on at the same time. A deadlock, should one still
// happen, is run again by DB.tx; a duplicate key on insert is the same answer as a row found
// by the read.
func (s *FactorStore) AddPasskey(ctx context.Context, p domain.Passkey) error {
	hash := credentialHash(p.CredentialID)
	errFull := errors.New("full") // the outcomes found under the lock, told apart from driver errors
	errExists := errors.New("exists")
	err := s.db.tx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO gatehouse_passkey_users (user_id) VALUES (?)
			ON DUPLICATE KEY UPDATE user_id = user_id`, int64(p.UserID)); err != nil {
			return err
		}
		var held [][]byte
		if err := tx.SelectContext(ctx, &held, `SELECT credential_hash FROM gatehouse_passkeys WHERE user_id = ?`,
			int64(p.UserID)); err != nil {
			return err
		}
		for _, h := range held {
			if bytes.Equal(h, hash) {
				return errExists
			}
		}
		if len(held) >= domain.MaxPasskeys {
			return errFull
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO gatehouse_passkeys (user_id, credential_hash, `+passkeyColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, int64(p.UserID), hash, p.CredentialID, p.Name, nonNil(p.Data),
			p.CreatedAt.UTC(), nullTime(p.LastUsedAt))
		return err
	})
	switch {
	case errors.Is(err, errExists), duplicate(err):
		return domain.ErrPasskeyExists
	case errors.Is(err, errFull):
		return domain.ErrTooManyPasskeys
	}
	return translate(err)
}

// nonNil returns b, or an empty slice for nil, which the driver would send as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Passkeys implements ports.PasskeyStore: oldest first, those created at one instant by their
// credential ids' bytes.
func (s *FactorStore) Passkeys(ctx context.Context, user domain.UserID) ([]domain.Passkey, error) {
	ctx, cancel := s.db.ctx(ctx)
	defer cancel()
	rows, err := s.db.x.QueryContext(ctx, `SELECT `+passkeyColumns+` FROM gatehouse_passkeys
		WHERE user_id = ? ORDER BY created_at, credential_id`, int64(user))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []domain.Passkey{}
	for rows.Next() {
		p := domain.Passkey{UserID: user}
		var used sql.NullTime
		if err := rows.Scan(&p.CredentialID, &p.Name, &p.Data, &p.CreatedAt, &used); err != nil {
			return nil, translate(err)
		}
		p.CreatedAt = p.CreatedAt.UTC()
		if used.Valid {
			p.LastUsedAt = used.Time.UTC()
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// UsePasskey implements ports.PasskeyStore. ClientFoundRows makes a use that writes the same
// values still count as found.
func (s *FactorStore) UsePasskey(ctx context.Context, user domain.UserID, credentialID, data []byte, at time.Time) error {
	return s.db.execOne(ctx, `UPDATE gatehouse_passkeys SET data = ?, last_used_at = ?
		WHERE user_id = ? AND credential_hash = ?`, nonNil(data), at.UTC(), int64(user), credentialHash(credentialID))
}

// DeletePasskey implements ports.PasskeyStore.
func (s *FactorStore) DeletePasskey(ctx context.Context, user domain.UserID, credentialID []byte) error {
	return s.db.execOne(ctx, `DELETE FROM gatehouse_passkeys WHERE user_id = ? AND credential_hash = ?`,
		int64(user), credentialHash(credentialID))
}
