package passhash

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// calibrationRuns is how many times Calibrate verifies each family's costliest hash. It takes
// the slowest: a floor a little high only slows failed logins a little, one a little low lets
// the costliest family show through, and two runs keep start-up within about twice the sum
// of the families' times.
const calibrationRuns = 2

// Calibrate returns how long a failed verification of the costliest hash this Limiter admits
// takes: for each family, a hash at the highest parameters Verify accepts is verified with a
// wrong password, and the slowest family's time is returned.
//
// The application pads every failed password check to this floor, so an imported account
// (whose hash may be Django's costlier PBKDF2, bcrypt or argon2), an account whose password
// is unusable, and an unknown name all take the same time: an attacker cannot tell which
// names exist, or which were imported, by timing a failed login.
//
// The families, each at its bound (see Foreign's bounds) with a fresh random salt: argon2id
// at the configured parameters; Django's argon2 at the most memory and passes admitted, with
// the memory capped by the budget and one lane (the slowest way to spend that work);
// bcrypt_sha256 at cost 12 (plain bcrypt is the same work without one SHA-256);
// pbkdf2_sha256 and pbkdf2_sha1 at 1,200,000 iterations. The weak salted digests take
// microseconds and are left out. Each verification goes through the Limiter's admission, so
// calibration never exceeds the memory budget; the time of the hashing alone is measured, not
// the wait for a slot.
//
// Own argon2id hashes written under earlier, costlier parameters are not covered: a failed
// login to such an account takes longer than the floor until its owner logs in once and the
// hash is re-hashed with the configured parameters.
//
// Calibration costs about twice the sum of the families' times: on two cores, Django's argon2,
// bcrypt 12 and PBKDF2 at 1,200,000 each take about 0.25 s, so about 2 s for a floor near
// 0.3 s, several times both when the cores are busy. Call it once, at start-up. Tests of the padding should pass an explicit floor instead.
// Calibrate returns ctx's error when ctx ends first, and domain.ErrUnavailable when the
// Limiter stays busy past its maximum wait.
func (l *Limiter) Calibrate(ctx context.Context) (time.Duration, error) {
	cases, err := l.worstCases()
	if err != nil {
		return 0, err
	}
	return l.calibrate(ctx, cases)
}

// calibrate returns the slowest of cases' times.
func (l *Limiter) calibrate(ctx context.Context, cases []worstCase) (time.Duration, error) {
	var floor time.Duration
	for _, c := range cases {
		d, err := l.timeVerify(ctx, c.encoded)
		if err != nil {
			return 0, fmt.Errorf("passhash: calibrating %s: %w", c.family, err)
		}
		floor = max(floor, d)
	}
	return floor, nil
}

// calibrationPassword is the password Calibrate tries; the random hashes never match it.
const calibrationPassword = "calibration: not the password"

// timeVerify returns the slowest of calibrationRuns verifications of encoded, each timed
// once admitted.
func (l *Limiter) timeVerify(ctx context.Context, encoded string) (time.Duration, error) {
	weight, algorithm := weigh(encoded)
	var slowest time.Duration
	for range calibrationRuns {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if _, err := l.take(ctx, weight); err != nil {
			return 0, err
		}
		start := time.Now()
		l.verify(calibrationPassword, encoded)
		d := time.Since(start)
		l.release(weight)
		slowest = max(slowest, d)
		if l.onCalibrate != nil {
			l.onCalibrate(algorithm)
		}
	}
	return slowest, nil
}

// worstCase is one family's costliest admitted hash.
type worstCase struct {
	family, encoded string
}

// worstCases returns, for each family Calibrate measures, a hash at the highest parameters
// Verify admits, with a random salt and a random key: a failed verification does the same
// work whatever the key, so none has to be computed first.
func (l *Limiter) worstCases() ([]worstCase, error) {
	// 16 bytes of salt and 32 of key, as argon2-cffi writes for Django; 22 salt characters
	// and a digest-sized key, as Django's PBKDF2 hashers write.
	b := make([]byte, 16+32+22+53)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("passhash: reading salt: %w", err)
	}
	salt, key, text, rest := b[:16], b[16:48], b[48:70], b[70:]

	own := l.hasher.params
	memory := min(int64(maxDjangoArgon2Mem), l.budget)
	imported := Params{Memory: uint32(memory), Time: min(uint32(maxDjangoArgon2Cost/memory), maxTime),
		Threads: 1, SaltLen: 16, KeyLen: 32}
	return []worstCase{
		{"argon2id", encodePHC(own, sized(salt, own.SaltLen), sized(key, own.KeyLen))},
		{"argon2", "argon2" + encodePHC(imported, salt, key)},
		{"bcrypt_sha256", "bcrypt_sha256$" + bcryptOf(maxBcryptCost, rest)},
		{"pbkdf2_sha256", pbkdf2Of("pbkdf2_sha256", saltText(text), key[:32])},
		{"pbkdf2_sha1", pbkdf2Of("pbkdf2_sha1", saltText(text), key[:20])},
	}, nil
}

// sized returns n bytes that start with b: the configured salt and key lengths may exceed
// the random bytes at hand, and their content does not change the work.
func sized(b []byte, n uint32) []byte {
	out := make([]byte, n)
	copy(out, b)
	return out
}

// bcryptAlphabet is bcrypt's base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// bcryptOf returns a well-formed "$2b$<cost>$" hash whose 53 characters of salt and hash
// come from the 53 random bytes r.
func bcryptOf(cost int, r []byte) string {
	out := fmt.Appendf(nil, "$2b$%02d$", cost)
	for _, c := range r {
		out = append(out, bcryptAlphabet[int(c)%len(bcryptAlphabet)])
	}
	return string(out)
}

// saltText maps random bytes to the letters and digits Django's salts are made of.
func saltText(r []byte) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, len(r))
	for i, c := range r {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(out)
}

// pbkdf2Of formats a Django PBKDF2 hash at the most iterations admitted.
func pbkdf2Of(algorithm, salt string, key []byte) string {
	return algorithm + "$" + strconv.Itoa(maxPBKDF2Iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key)
}
