package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

func TestTokenExpired(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt time.Time
		now       time.Time
		want      bool
	}{
		{"no expiry, now", time.Time{}, t0, false},
		{"no expiry, far future", time.Time{}, t0.AddDate(100, 0, 0), false},
		{"one ns before", t0, t0.Add(-time.Nanosecond), false},
		{"at the deadline", t0, t0, true},
		{"after", t0, t0.Add(time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := domain.Token{ExpiresAt: tt.expiresAt}
			if got := tok.Expired(tt.now); got != tt.want {
				t.Errorf("Token{ExpiresAt: %v}.Expired(%v) = %v, want %v", tt.expiresAt, tt.now, got, tt.want)
			}
		})
	}
}

func TestNormalizeTokenNameAcceptsLabels(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty gets the default", "", domain.DefaultTokenName},
		{"blank gets the default", " \t\n ", domain.DefaultTokenName},
		{"plain", "laptop", "laptop"},
		{"trimmed", "  my phone\t", "my phone"},
		{"punctuation", "Work laptop (2024) #2", "Work laptop (2024) #2"},
		{"unicode", "José’s 手机", "José’s 手机"},
		{"100 characters", strings.Repeat("é", domain.MaxTokenNameLength), strings.Repeat("é", domain.MaxTokenNameLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeTokenName(tt.in)
			if err != nil {
				t.Fatalf("NormalizeTokenName(%q) error = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeTokenName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeTokenNameRejectsBadLabels(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"101 characters", strings.Repeat("é", domain.MaxTokenNameLength+1)},
		{"NUL", "a\x00b"},
		{"inner tab", "a\tb"},
		{"inner newline", "a\nb"},
		{"DEL", "a\x7fb"},
		{"C1 control", "a\u0085b"},
		{"zero-width space", "a\u200bb"},
		{"right-to-left override", "a\u202eb"},
		{"invalid UTF-8", "phone\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeTokenName(tt.in)
			if msgs := fieldMessages(t, err, "name"); len(msgs) != 1 {
				t.Errorf("messages = %q, want one", msgs)
			}
			if got != "" {
				t.Errorf("NormalizeTokenName(%q) = %q alongside an error, want \"\"", tt.in, got)
			}
		})
	}
}
