package domain_test

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/domain"
)

// A token secret has a prefix, a length and a checksum that catches typos without a store lookup.
func ExampleEncodeSecret() {
	// gth_, 43 base62 characters of randomness, a 6-character CRC32: secret scanners know
	// it by its prefix.
	var random [domain.SecretBytes]byte // from crypto/rand in the service
	copy(random[:], "fixed bytes for a repeatable run")
	secret := domain.EncodeSecret(domain.TokenPrefix, random)
	fmt.Println(strings.HasPrefix(secret, "gth_"), len(secret), domain.ValidTokenSecret(secret))

	// Two neighbouring characters typed the wrong way round: the checksum catches it.
	swapped := secret[:20] + secret[21:22] + secret[20:21] + secret[22:]
	fmt.Println(swapped != secret, domain.ValidTokenSecret(swapped))

	// A session id is no token, though its body is the same.
	session := domain.EncodeSecret(domain.SessionPrefix, random)
	fmt.Println(domain.ValidSessionSecret(session), domain.ValidTokenSecret(session))

	// A key imported from Django REST Framework (40 hex digits) is a token too.
	fmt.Println(domain.ValidTokenSecret(strings.Repeat("9f", 20)))
	// Output:
	// true 53 true
	// true false
	// true false
	// true
}
