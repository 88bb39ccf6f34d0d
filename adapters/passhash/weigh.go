package passhash

import "strings"

// smallWeight is the memory, in KiB, a verification that is not argon2 counts against the
// budget. bcrypt's state is about 4 KiB and PBKDF2's and the salted digests' a few hundred
// bytes; 64 KiB covers them with Go's allocations around them, and is nothing next to
// argon2's megabytes, so such hashes are bounded by the count of slots, as their CPU is.
const smallWeight = 64

// weigh returns the memory, in KiB, that verifying encoded will hold, and the name of its
// algorithm for logs. It only parses: for argon2 the weight is the stored m, read before
// anything is allocated. A string that no verifier would run (malformed, out of bounds,
// unknown) weighs smallWeight: its verification fails fast and allocates next to nothing.
func weigh(encoded string) (kib int64, algorithm string) {
	if strings.HasPrefix(encoded, "$argon2id$") {
		if p, _, _, ok := parsePHC(encoded); ok {
			return int64(p.Memory), "argon2id"
		}
		return smallWeight, "argon2id"
	}
	algorithm, rest, _ := strings.Cut(encoded, "$")
	if algorithm == "argon2" {
		// Weighed by the PHC bounds, not Django's tighter ones, so a hash beyond the
		// budget is reported as such rather than as malformed.
		if p, _, _, ok := parsePHC("$" + rest); ok {
			return int64(p.Memory), algorithm
		}
	}
	switch algorithm {
	case "argon2", "pbkdf2_sha256", "pbkdf2_sha1", "bcrypt_sha256", "bcrypt", "md5", "sha1":
	default:
		algorithm = "other"
	}
	return smallWeight, algorithm
}
