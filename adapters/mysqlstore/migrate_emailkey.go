package mysqlstore

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"

	"github.com/gatehouse/gatehouse/domain"
)

// rekeyEmails is migration 5, in Go because SQL cannot compute domain.EmailKey (NFKC and
// Unicode case folding). Migration 3 keyed the addresses it found by LOWER(TRIM(email)),
// which is the key of every ASCII address but not of one such as "ＡＬＩＣＥ@example.com",
// which a reset request by address or the unique-address check would then miss. This
// recomputes the key of every address with a non-ASCII character in it (more bytes than
// characters). The down step keeps the keys: they are right under every version.
var rekeyEmails = goose.NewGoMigration(5, &goose.GoFunc{RunTx: rekeyEmailsUp}, &goose.GoFunc{})

func rekeyEmailsUp(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx,
		`SELECT id, email, email_key FROM gatehouse_users WHERE LENGTH(email) <> CHAR_LENGTH(email)`)
	if err != nil {
		return err
	}
	type rekey struct {
		id  int64
		key string
	}
	var changes []rekey
	for rows.Next() {
		var id int64
		var email, key string
		if err := rows.Scan(&id, &email, &key); err != nil {
			rows.Close()
			return err
		}
		if want := domain.EmailKey(email); want != key {
			changes = append(changes, rekey{id, want})
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE gatehouse_users SET email_key = ? WHERE id = ?`, c.key, c.id); err != nil {
			return err
		}
	}
	return nil
}
