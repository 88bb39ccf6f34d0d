package domain_test

import (
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// CheckTOTP accepts a code one step early or late, returns the step it matched, and refuses a replay.
func ExampleCheckTOTP_skew() {
	// RFC 6238's test secret; its code for step 1 (Unix time 30 to 59) is 287082.
	secret := domain.TOTPSecret([]byte("12345678901234567890"))
	code := domain.TOTPCode(secret, 1)
	fmt.Println(code)

	for _, unix := range []int64{0, 30, 60, 90} {
		step, ok := domain.CheckTOTP(secret, code, time.Unix(unix, 0), 0)
		fmt.Printf("at step %d: %v (step %d)\n", unix/30, ok, step)
	}
	// The factor recorded step 1 when the code was first accepted.
	_, ok := domain.CheckTOTP(secret, code, time.Unix(60, 0), 1)
	fmt.Println("replayed:", ok)
	// Output:
	// 287082
	// at step 0: true (step 1)
	// at step 1: true (step 1)
	// at step 2: true (step 1)
	// at step 3: false (step 0)
	// replayed: false
}

// The otpauth:// URI an authenticator app scans names the issuer and the account.
func ExampleTOTPSecret_URI() {
	secret := domain.TOTPSecret([]byte("12345678901234567890"))
	uri, err := secret.URI("Gatehouse", "alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(uri)
	fmt.Println(secret) // the secret never prints by accident
	_, err = secret.URI("Gate:house", "alice")
	fmt.Println(err)
	// Output:
	// otpauth://totp/Gatehouse:alice?algorithm=SHA1&digits=6&issuer=Gatehouse&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
	// TOTPSecret(hidden)
	// TOTP issuer and account must be non-empty and hold no colon
}

// Recovery codes read as "xxxxx-xxxxx"; typing ignores case, spaces and dashes, and o means 0.
func ExampleHashRecoveryCode() {
	var random [domain.RecoveryCodeCount][domain.RecoveryCodeBytes]byte // crypto/rand in the service
	random[0] = [domain.RecoveryCodeBytes]byte{0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}
	at := time.Date(2025, time.March, 14, 0, 0, 0, 0, time.UTC)
	shown, stored := domain.NewRecoveryCodes(1, random, at)
	fmt.Println(len(shown), shown[0])

	for _, typed := range []string{"0j6hb-7h6nw", "0J6HB 7H6NW", "oj6hb7h6nw", "0j6hb-7h6n"} {
		h, ok := domain.HashRecoveryCode(1, typed)
		fmt.Printf("%q: well-formed %v, matches %v\n", typed, ok, h == stored[0].Hash)
	}
	// Another user's hash of the same code differs: one user's code never finds another's.
	h, _ := domain.HashRecoveryCode(2, shown[0])
	fmt.Println(h == stored[0].Hash)
	// Output:
	// 10 0j6hb-7h6nw
	// "0j6hb-7h6nw": well-formed true, matches true
	// "0J6HB 7H6NW": well-formed true, matches true
	// "oj6hb7h6nw": well-formed true, matches true
	// "0j6hb-7h6n": well-formed false, matches false
	// false
}

// NormalizePasskeyName trims a passkey's label and wants 1 to 64 printable characters.
func ExampleNormalizePasskeyName() {
	for _, name := range []string{"  work laptop ", "YubiKey 5C (blue)", "   ", "tab\there"} {
		if got, err := domain.NormalizePasskeyName(name); err != nil {
			fmt.Printf("%q: refused\n", name)
		} else {
			fmt.Printf("%q: %q\n", name, got)
		}
	}
	// Output:
	// "  work laptop ": "work laptop"
	// "YubiKey 5C (blue)": "YubiKey 5C (blue)"
	// "   ": refused
	// "tab\there": refused
}
