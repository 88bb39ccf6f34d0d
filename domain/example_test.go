package domain_test

import (
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/domain"
)

// NormalizeUsername keeps the NFKC form of a name and refuses characters outside Django's set.
func ExampleNormalizeUsername() {
	for _, raw := range []string{"alice", "ａｌｉｃｅ", "ﬁona", "bob smith"} {
		name, err := domain.NormalizeUsername(raw)
		if verr, ok := errors.AsType[*domain.ValidationError](err); ok {
			fmt.Printf("%q: %s\n", raw, verr.Fields["username"][0])
			continue
		}
		fmt.Printf("%q: %q\n", raw, name)
	}
	// Output:
	// "alice": "alice"
	// "ａｌｉｃｅ": "alice"
	// "ﬁona": "fiona"
	// "bob smith": Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.
}

// Names that differ only in case or width share one UsernameKey, so they are one user.
func ExampleUsernameKey() {
	for _, name := range []string{"Alice", "ALICE", "ａｌｉｃｅ", "Straße"} {
		fmt.Printf("%s -> %s\n", name, domain.UsernameKey(name))
	}
	// Output:
	// Alice -> alice
	// ALICE -> alice
	// ａｌｉｃｅ -> alice
	// Straße -> strasse
}

// ValidatePassword reports every rule a password breaks at once, in Django's words.
func ExampleValidatePassword() {
	for _, pw := range []string{"1234567", "alice1234", "plum-Orchard-7391"} {
		fmt.Println(pw)
		err := domain.ValidatePassword(pw, "alice", "alice@example.com")
		if verr, ok := errors.AsType[*domain.ValidationError](err); ok {
			for _, msg := range verr.Fields["password"] {
				fmt.Println("  " + msg)
			}
		}
	}
	// Output:
	// 1234567
	//   This password is too short. It must contain at least 8 characters.
	//   This password is too common.
	//   This password is entirely numeric.
	// alice1234
	//   The password is too similar to the username.
	// plum-Orchard-7391
}
