package domain_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"

	"github.com/gatehouse/gatehouse/domain"
)

// rfcSecret is the SHA-1 seed of RFC 6238 Appendix B, "12345678901234567890" in ASCII.
var rfcSecret = domain.TOTPSecret([]byte("12345678901234567890"))

// TestTOTPCodeMatchesRFC6238: the SHA-1 test vectors of RFC 6238 Appendix B, last six digits.
func TestTOTPCodeMatchesRFC6238(t *testing.T) {
	tests := []struct {
		unix int64
		want string // the RFC's eight digits, cut to six
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.unix), func(t *testing.T) {
			step := domain.TOTPStep(time.Unix(tt.unix, 0))
			if step != tt.unix/30 {
				t.Errorf("TOTPStep(%d) = %d, want %d", tt.unix, step, tt.unix/30)
			}
			if got := domain.TOTPCode(rfcSecret, step); got != tt.want {
				t.Errorf("TOTPCode(step %d) = %q, want %q", step, got, tt.want)
			}
		})
	}
}

// TestCheckTOTP: a code is accepted for its own step and one step either side, once, and
// never for a step at or before the last accepted one.
func TestCheckTOTP(t *testing.T) {
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte{1, 2, 3})
	now := t0.Add(7 * time.Second) // inside a step, not at its edge
	cur := domain.TOTPStep(now)
	code := func(delta int64) string { return domain.TOTPCode(secret, cur+delta) }
	tests := []struct {
		name     string
		code     string
		last     int64
		wantStep int64 // 0: refused
	}{
		{"current step", code(0), 0, cur},
		{"one step behind (skew)", code(-1), 0, cur - 1},
		{"one step ahead (skew)", code(1), 0, cur + 1},
		{"two steps behind", code(-2), 0, 0},
		{"two steps ahead", code(2), 0, 0},
		{"replay: its step was the last accepted", code(0), cur, 0},
		{"a step before the last accepted", code(-1), cur, 0},
		{"the step after the last accepted", code(1), cur, cur + 1},
		{"last accepted one step back", code(0), cur - 1, cur},
		{"spaces as apps show it", code(0)[:3] + " " + code(0)[3:], 0, cur},
		{"surrounding spaces", " " + code(0) + " ", 0, cur},
		{"wrong code", wrongDigits(code(-1), code(0), code(1)), 0, 0},
		{"too short", code(0)[:5], 0, 0},
		{"too long", code(0) + "0", 0, 0},
		{"empty", "", 0, 0},
		{"letters", "abcdef", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := domain.CheckTOTP(secret, tt.code, now, tt.last)
			if ok != (tt.wantStep != 0) || step != tt.wantStep {
				t.Errorf("CheckTOTP(%q, last %d) = %d, %t; want %d, %t", tt.code, tt.last-cur, step-cur, ok,
					tt.wantStep-cur, tt.wantStep != 0)
			}
		})
	}
}

// wrongDigits returns six digits that are none of codes.
func wrongDigits(codes ...string) string {
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", n)
		if !strings.Contains(strings.Join(codes, ","), c) {
			return c
		}
	}
}

// TestCheckTOTPAtStepEdges: the window moves with the clock, one step at a time.
func TestCheckTOTPAtStepEdges(t *testing.T) {
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte{9})
	start := time.Unix(domain.TOTPStep(t0)*30, 0) // the first second of t0's step
	c := domain.TOTPCode(secret, domain.TOTPStep(start))
	tests := []struct {
		at   time.Duration
		want bool
	}{
		{-31 * time.Second, false}, // two steps early
		{-30 * time.Second, true},  // one step early
		{59 * time.Second, true},   // the next step's last second
		{60 * time.Second, false},  // two steps late
	}
	for _, tt := range tests {
		if _, ok := domain.CheckTOTP(secret, c, start.Add(tt.at), 0); ok != tt.want {
			t.Errorf("code of step S checked at S%+v: %t, want %t", tt.at, ok, tt.want)
		}
	}
}

func TestTOTPSecretURI(t *testing.T) {
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte{0xde, 0xad, 0xbe, 0xef})
	uri, err := secret.URI("Gatehouse", "zoë@example.org")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("URI %q does not parse: %v", uri, err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Gatehouse:zoë@example.org" {
		t.Errorf("URI %q: want otpauth://totp/Gatehouse:zoë@example.org", uri)
	}
	want := map[string]string{"secret": secret.Base32(), "issuer": "Gatehouse", "algorithm": "SHA1", "digits": "6",
		"period": "30"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("URI %q: %s = %q, want %q", uri, k, q.Get(k), v)
		}
	}
	// The library's parser reads back what an app would.
	key, err := otp.NewKeyFromURL(uri)
	if err != nil || key.Secret() != secret.Base32() || key.AccountName() != "zoë@example.org" || key.Issuer() != "Gatehouse" {
		t.Errorf("NewKeyFromURL(%q) = %v, %v", uri, key, err)
	}
	for _, bad := range [][2]string{{"", "alice"}, {"Gatehouse", ""}, {"Gate:house", "alice"}, {"Gatehouse", "a:b"}} {
		if _, err := secret.URI(bad[0], bad[1]); err != domain.ErrTOTPLabel {
			t.Errorf("URI(%q, %q) error = %v, want ErrTOTPLabel", bad[0], bad[1], err)
		}
	}
}

func TestTOTPSecretHidesItself(t *testing.T) {
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte{0xde, 0xad, 0xbe, 0xef})
	for _, s := range []string{fmt.Sprint(secret), fmt.Sprintf("%v %s %+v %#v", secret, secret, secret, secret)} {
		if strings.Contains(s, secret.Base32()[:8]) || strings.Contains(strings.ToLower(s), "dead") {
			t.Errorf("secret printed as %q", s)
		}
	}
	if len(secret.Base32()) != 32 {
		t.Errorf("Base32() = %q, want 32 characters", secret.Base32())
	}
}

// ExampleCheckTOTP plays an authenticator app with the secret of RFC 6238's test vectors:
// at Unix time 59 (step 1) the app shows 287082.
func ExampleCheckTOTP() {
	secret := domain.TOTPSecret([]byte("12345678901234567890"))
	at := time.Unix(59, 0)

	step, ok := domain.CheckTOTP(secret, "287082", at, 0)
	fmt.Println("first use:", step, ok)

	// The factor now records step 1 as its last; the same code again is a replay.
	_, ok = domain.CheckTOTP(secret, "287082", at, step)
	fmt.Println("replayed:", ok)

	// A minute later (step 3) the code of step 1 is two steps old: out of the window.
	_, ok = domain.CheckTOTP(secret, "287082", at.Add(time.Minute), 0)
	fmt.Println("two steps late:", ok)
	// Output:
	// first use: 1 true
	// replayed: false
	// two steps late: false
}
