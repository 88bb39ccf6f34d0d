// Package system adapts the real world to Gatehouse's ports: the wall clock and the
// operating system's cryptographic random source.
package system

import (
	"crypto/rand"
	"time"
)

// Clock reads the wall clock.
type Clock struct{}

// Now returns the current time in UTC at microsecond precision: the precision MySQL's
// DATETIME(6) keeps, so a time reads back equal from every backend.
func (Clock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Random reads crypto/rand, the only source fit for secrets.
type Random struct{}

// Read fills b with random bytes.
func (Random) Read(b []byte) error {
	_, err := rand.Read(b)
	return err
}
