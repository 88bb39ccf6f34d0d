// Package passhash hashes passwords with argon2id, the variant RFC 9106 (section 4) and the
// OWASP Password Storage Cheat Sheet recommend for password storage: its first pass resists
// side channels like argon2i and the rest resists GPU cracking like argon2d.
//
// Hashes are stored as PHC strings, the format of the argon2 reference implementation,
// so they carry their own parameters and salt and stay verifiable after the configured
// parameters change.
package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Argon2id hashes and verifies passwords; Limiter puts it behind ports.PasswordHasher. It is
// safe for concurrent use.
type Argon2id struct {
	params Params
}

// New returns a hasher that hashes with p. It returns an error wrapping ErrInvalidParams
// when argon2id cannot run with p (Threads or Time 0, Memory below 8 KiB per thread, a key
// under 4 bytes, a salt under 8 bytes; RFC 9106 section 3.1), or when p exceeds the bounds
// Verify enforces on stored hashes, which would make Hash write hashes Verify rejects.
//
// New does not enforce the OWASP floor, so tests can use tiny parameters; production
// configuration calls Params.CheckFloor first.
func New(p Params) (*Argon2id, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &Argon2id{params: p}, nil
}

// Hash returns password hashed with a fresh random salt from crypto/rand, as a PHC string
// such as
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64, as the argon2 reference implementation
// and Django write them.
func (a *Argon2id) Hash(password string) (string, error) {
	salt := make([]byte, a.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passhash: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, a.params.Time, a.params.Memory, a.params.Threads, a.params.KeyLen)
	return encodePHC(a.params, salt, key), nil
}

func argon2Key(password string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// Verify reports whether password matches the PHC string encoded, recomputing the hash with
// the parameters and salt stored in encoded and comparing in constant time
// (crypto/subtle), so the comparison leaks nothing about how much of the hash matched.
// A malformed string, an algorithm other than argon2id, a version other than 19, or
// parameters outside sane bounds (more than 1 GiB of memory, 64 passes, or 2 GiB·passes) give
// (false, false) without running argon2.
//
// rehash is true when password matches and any stored parameter (memory, passes, threads,
// salt or key length) differs from the configured ones. It fires on any difference rather
// than only on weaker ones because parameters do not order: a change from m=47104,t=1 to
// m=19456,t=2 is neither stronger nor weaker in every field. Treating the configuration as
// the single source of truth also lets a deliberate reduction (say, memory lowered after
// the server ran out of it) reach every stored hash, one login at a time.
func (a *Argon2id) Verify(password, encoded string) (ok, rehash bool) {
	p, salt, want, valid := parsePHC(encoded)
	if !valid {
		return false, false
	}
	got := argon2Key(password, salt, p)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false
	}
	return true, p != a.params
}
