package mysqlstore

import "time"

// DefaultConfig is the pool a server runs with unless configured otherwise: 20 connections,
// all kept open when idle (with fewer idle than open connections, a busy server closed and
// reopened hundreds of connections a second, issue #6), recycled every 5 minutes, and a
// 3-second deadline on every statement. It names no database: DSN is empty.
func DefaultConfig() Config {
	return Config{MaxOpenConns: 20, MaxIdleConns: 20, ConnMaxLifetime: 5 * time.Minute, QueryTimeout: 3 * time.Second}
}
