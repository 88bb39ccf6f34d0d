package domain_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// recoveryRandom returns fixed "random" bytes for a set of codes: code i is made of bytes
// that all equal start+i.
func recoveryRandom(start byte) [domain.RecoveryCodeCount][domain.RecoveryCodeBytes]byte {
	var r [domain.RecoveryCodeCount][domain.RecoveryCodeBytes]byte
	for i := range r {
		for j := range r[i] {
			r[i][j] = start + byte(i)
		}
	}
	return r
}

func TestNewRecoveryCodes(t *testing.T) {
	shown, stored := domain.NewRecoveryCodes(42, recoveryRandom(0), t0)
	if len(shown) != domain.RecoveryCodeCount || len(stored) != domain.RecoveryCodeCount {
		t.Fatalf("got %d codes and %d records, want %d", len(shown), len(stored), domain.RecoveryCodeCount)
	}
	if shown[0] != "00000-00000" {
		t.Errorf("code of zero bytes = %q, want 00000-00000", shown[0])
	}
	format := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$`)
	seen := map[string]bool{}
	for i, c := range shown {
		if !format.MatchString(c) || seen[c] {
			t.Errorf("code %d = %q: not xxxxx-xxxxx of the alphabet, or repeated", i, c)
		}
		seen[c] = true
		r := stored[i]
		h, ok := domain.HashRecoveryCode(42, c)
		if !ok || r.Hash != h || r.UserID != 42 || r.Purpose != domain.PurposeRecovery || r.Email != "" ||
			!r.CreatedAt.Equal(t0) || !r.ExpiresAt.Equal(t0.Add(domain.RecoveryCodeLifetime)) {
			t.Errorf("record %d = %+v, want the hash of %q, user 42, PurposeRecovery, live a century", i, r, c)
		}
	}
	if all, _ := domain.NewRecoveryCodes(42, recoveryRandom(0xff-domain.RecoveryCodeCount+1), t0); all[9] != "zzzzz-zzzzz" {
		t.Errorf("code of 0xff bytes = %q, want zzzzz-zzzzz (all 50 bits set)", all[9])
	}
	if r := stored[0].ExpiresAt.Year() - t0.Year(); r < 99 {
		t.Errorf("recovery codes expire after %d years, want about a century", r)
	}
}

// TestHashRecoveryCode: what a user types is forgiven its case, spaces, dashes and the
// letters that look like digits; the hash is bound to the user; anything else is refused
// before a store would be asked.
func TestHashRecoveryCode(t *testing.T) {
	want, ok := domain.HashRecoveryCode(42, "4k7xq-9m2ab")
	if !ok {
		t.Fatal("HashRecoveryCode of a well-formed code = false")
	}
	same := []string{"4k7xq9m2ab", "4K7XQ-9M2AB", " 4k7xq 9m2ab ", "4k7-xq9-m2ab", "4k7xq\t9m2ab"}
	for _, in := range same {
		if h, ok := domain.HashRecoveryCode(42, in); !ok || h != want {
			t.Errorf("HashRecoveryCode(%q) differs from that of 4k7xq-9m2ab", in)
		}
	}
	zero, _ := domain.HashRecoveryCode(42, "10000-00000")
	for _, in := range []string{"i0000-00000", "l0000-0000o", "IOOOO-OOOOO", "L000000000"} {
		if h, ok := domain.HashRecoveryCode(42, in); !ok || h != zero {
			t.Errorf("HashRecoveryCode(%q) differs from that of 10000-00000", in)
		}
	}
	if other, _ := domain.HashRecoveryCode(43, "4k7xq-9m2ab"); other == want {
		t.Error("two users' hashes of one code are equal")
	}
	if secretHash := domain.HashSecret("4k7xq9m2ab"); secretHash == want {
		t.Error("the hash is a plain SHA-256 of the code, not bound to the user")
	}
	for _, bad := range []string{"", "4k7xq-9m2a", "4k7xq-9m2abc", "4k7xq-9m2au", "4k7xq_9m2ab", "4k7xq-9m2ä",
		strings.Repeat("0", 100)} {
		if _, ok := domain.HashRecoveryCode(42, bad); ok {
			t.Errorf("HashRecoveryCode(%q) = ok, want refused", bad)
		}
	}
}

func TestMFATicketSecret(t *testing.T) {
	ticket := domain.EncodeSecret(domain.MFATicketPrefix, sequence(0))
	if !strings.HasPrefix(ticket, "gtm_") || !domain.ValidMFATicketSecret(ticket) {
		t.Errorf("ticket %q is not a valid gtm_ secret", ticket)
	}
	for _, other := range []string{domain.EncodeSecret(domain.ResetPrefix, sequence(0)),
		domain.EncodeSecret(domain.SessionPrefix, sequence(0)), ticket[:len(ticket)-1] + "x", ""} {
		if domain.ValidMFATicketSecret(other) {
			t.Errorf("ValidMFATicketSecret(%q) = true", other)
		}
	}
	if !domain.PurposeMFATicket.Valid() || !domain.PurposeRecovery.Valid() {
		t.Error("the new purposes are not Valid")
	}
}

// TestMFATicketExpiry: a ticket stored for MFATicketTTL is live until its deadline and over
// at it, as every one-time code is.
func TestMFATicketExpiry(t *testing.T) {
	c := domain.OneTimeCode{Purpose: domain.PurposeMFATicket, CreatedAt: t0, ExpiresAt: t0.Add(domain.MFATicketTTL)}
	for _, tt := range []struct {
		after time.Duration
		want  bool
	}{{0, false}, {domain.MFATicketTTL - time.Microsecond, false}, {domain.MFATicketTTL, true}, {time.Hour, true}} {
		if got := c.Expired(t0.Add(tt.after)); got != tt.want {
			t.Errorf("ticket after %v: Expired = %t, want %t", tt.after, got, tt.want)
		}
	}
}
