// Package system adapts the real world to Gatehouse's ports: the wall clock and the
// operating system's cryptographic random source.
package system

import (
	"crypto/rand"
	"time"
)

// Clock reads the wall clock.
type Clock struct{}

// Now returns the current time in UTC, so stored times compare the same in every backend.
func (Clock) Now() time.Time { return time.Now().UTC() }

// Random reads crypto/rand, the only source fit for secrets.
type Random struct{}

// Read fills b with random bytes.
func (Random) Read(b []byte) error {
	_, err := rand.Read(b)
	return err
}
