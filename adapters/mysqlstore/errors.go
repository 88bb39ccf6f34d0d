package mysqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/gatehouse/gatehouse/domain"
)

// MySQL error numbers that mean the statement was wrong, not that the server was unwell.
// Everything else from the driver — refused or dropped connections, timeouts, lock waits,
// "too many connections" — is an outage, and the request fails closed with a 503.
const (
	erDupEntry      = 1062
	erParseError    = 1064
	erBadField      = 1054
	erNoSuchTable   = 1146
	erDataTooLong   = 1406
	erTruncatedData = 1366
)

// erLockDeadlock means InnoDB rolled the statement back to break a deadlock (see DB.write).
const erLockDeadlock = 1213

// translate turns a driver error into a domain error. No driver error leaves this package.
func translate(err error) error {
	var my *mysql.MySQLError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return domain.ErrNotFound
	case errors.As(err, &my):
		switch my.Number {
		case erParseError, erBadField, erNoSuchTable, erDataTooLong, erTruncatedData, erDupEntry:
			return fmt.Errorf("mysql: %d %s", my.Number, my.Message)
		}
	}
	return fmt.Errorf("%w: mysql: %v", domain.ErrUnavailable, err)
}

// duplicate reports whether err is a unique-key violation.
func duplicate(err error) bool {
	var my *mysql.MySQLError
	return errors.As(err, &my) && my.Number == erDupEntry
}

// deadlocked reports whether err says InnoDB rolled the statement back to break a deadlock.
func deadlocked(err error) bool {
	var my *mysql.MySQLError
	return errors.As(err, &my) && my.Number == erLockDeadlock
}
