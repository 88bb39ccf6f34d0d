package domain_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestValidEmailChangeSecret(t *testing.T) {
	good := domain.EncodeSecret(domain.EmailChangePrefix, sequence(0))
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"email change link", good, true},
		{"all zero bits", domain.EncodeSecret(domain.EmailChangePrefix, filled(0x00)), true},
		{"all one bits", domain.EncodeSecret(domain.EmailChangePrefix, filled(0xff)), true},
		{"reset link", domain.EncodeSecret(domain.ResetPrefix, sequence(0)), false},
		{"token", domain.EncodeSecret(domain.TokenPrefix, sequence(0)), false},
		{"session id", domain.EncodeSecret(domain.SessionPrefix, sequence(0)), false},
		{"typo in the body", good[:10] + flip(good[10]) + good[11:], false},
		{"one character short", good[:len(good)-1], false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ValidEmailChangeSecret(tt.in); got != tt.want {
				t.Errorf("ValidEmailChangeSecret(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	if domain.ValidResetSecret(good) {
		t.Errorf("ValidResetSecret(%q) = true for an email change link", good)
	}
}

// flip returns another base62 character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
