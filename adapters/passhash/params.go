package passhash

import (
	"errors"
	"fmt"
)

// ErrBelowFloor is wrapped by the error CheckFloor returns for parameters weaker than the
// OWASP minimum.
var ErrBelowFloor = errors.New("argon2id parameters below the OWASP floor")

// ErrInvalidParams is wrapped by the error New returns for parameters argon2id cannot run
// with, or that this package would refuse to verify.
var ErrInvalidParams = errors.New("invalid argon2id parameters")

// Params are the argon2id cost parameters and output sizes, in the terms of RFC 9106
// section 3.1: Memory is m in KiB, Time is the number of passes t, Threads is the degree of
// parallelism p, SaltLen and KeyLen are the salt and tag lengths in bytes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams returns the OWASP Password Storage Cheat Sheet's recommended minimum for
// argon2id: 19 MiB of memory, 2 passes, 1 thread, with a 16-byte salt (the length RFC 9106
// section 3.1 recommends) and a 32-byte key.
//
// OWASP picks a modest memory cost on purpose: a login runs one hash per request, so the
// memory a server can afford per concurrent login bounds m, and more passes make up for it.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// owaspFloor lists the argon2id configurations the OWASP Password Storage Cheat Sheet
// (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id)
// gives as equivalent in defence, all with p=1: less memory is traded for more passes.
var owaspFloor = []struct{ memory, time uint32 }{
	{47104, 1},
	{19456, 2},
	{12288, 3},
	{9216, 4},
	{7168, 5},
}

// Minimum salt and key lengths accepted by CheckFloor. RFC 9106 section 3.1 recommends a
// 16-byte salt; a 16-byte key leaves 128 bits to guess, the usual security level.
const (
	floorSaltLen = 16
	floorKeyLen  = 16
)

// CheckFloor returns an error wrapping ErrBelowFloor when p is weaker than the OWASP
// minimum. Memory and Time are accepted when, for one of the OWASP rows, both are at least
// that row's values: 7168 KiB with 5 passes is the least memory OWASP allows, and m=19456
// with t=1 fails because it is half the work of the recommended t=2. Salt and key must be
// at least 16 bytes. Threads are not checked: every OWASP row uses p=1, and more lanes do
// not lower the memory an attacker needs.
//
// Production configuration calls CheckFloor; New does not, so tests can use tiny,
// fast parameters.
func (p Params) CheckFloor() error {
	costOK := false
	for _, row := range owaspFloor {
		if p.Memory >= row.memory && p.Time >= row.time {
			costOK = true
			break
		}
	}
	switch {
	case !costOK:
		return fmt.Errorf("%w: m=%d KiB, t=%d is less than m=19456 KiB, t=2 or an equivalent",
			ErrBelowFloor, p.Memory, p.Time)
	case p.SaltLen < floorSaltLen:
		return fmt.Errorf("%w: salt of %d bytes, want at least %d", ErrBelowFloor, p.SaltLen, floorSaltLen)
	case p.KeyLen < floorKeyLen:
		return fmt.Errorf("%w: key of %d bytes, want at least %d", ErrBelowFloor, p.KeyLen, floorKeyLen)
	}
	return nil
}

// Bounds on parameters, enforced on configuration by New and on stored hashes by Verify.
// The lower bounds are what RFC 9106 section 3.1 allows argon2 to run with (p >= 1,
// t >= 1, m >= 8p, tag >= 4 bytes) and the 8-byte salt it allows for password hashing.
// The upper bounds make Verify refuse hostile or corrupted strings before argon2 allocates
// memory: no real configuration uses more than 1 GiB or 64 passes, or needs salts and keys
// longer than 1 KiB. maxCost bounds memory times passes, so one verification costs at most
// about fifty times the default (a hostile m=1 GiB, t=64 string would take minutes).
const (
	minTime    = 1
	maxTime    = 64
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxCost    = 2 << 20 // KiB·passes: 1 GiB twice, or Django's 100 MiB twenty times
	minSaltLen = 8
	maxSaltLen = 1024
	minKeyLen  = 4
	maxKeyLen  = 1024
)

// validate reports whether p is within the bounds above.
func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("%w: threads must be at least 1", ErrInvalidParams)
	case p.Time < minTime || p.Time > maxTime:
		return fmt.Errorf("%w: time %d outside [%d, %d]", ErrInvalidParams, p.Time, minTime, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("%w: memory %d KiB outside [8*threads=%d, %d]",
			ErrInvalidParams, p.Memory, 8*uint32(p.Threads), maxMemory)
	case uint64(p.Memory)*uint64(p.Time) > maxCost:
		return fmt.Errorf("%w: memory × time %d exceeds %d", ErrInvalidParams, uint64(p.Memory)*uint64(p.Time), maxCost)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d outside [%d, %d]", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d outside [%d, %d]", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}
