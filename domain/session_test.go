package domain_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
)

func TestSessionPolicyExpiresAtTakesTheEarlierDeadline(t *testing.T) {
	policy := domain.SessionPolicy{Idle: 2 * time.Hour, Absolute: 14 * 24 * time.Hour}
	tests := []struct {
		name              string
		created, lastSeen time.Time
		want              time.Time
	}{
		{"new session: idle", t0, t0, t0.Add(2 * time.Hour)},
		{"recently used: idle from last use", t0, t0.Add(time.Hour), t0.Add(3 * time.Hour)},
		{"used near the end: absolute", t0, t0.Add(14*24*time.Hour - time.Hour), t0.Add(14 * 24 * time.Hour)},
		{"deadlines equal", t0, t0.Add(14*24*time.Hour - 2*time.Hour), t0.Add(14 * 24 * time.Hour)},
		{"idle one ns earlier", t0, t0.Add(14*24*time.Hour - 2*time.Hour - 1), t0.Add(14*24*time.Hour - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.ExpiresAt(tt.created, tt.lastSeen); !got.Equal(tt.want) {
				t.Errorf("ExpiresAt(%v, %v) = %v, want %v", tt.created, tt.lastSeen, got, tt.want)
			}
		})
	}
}

func TestSessionExpiredAtItsDeadlineExactly(t *testing.T) {
	s := domain.Session{ExpiresAt: t0}
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"long before", t0.Add(-time.Hour), false},
		{"one ns before", t0.Add(-time.Nanosecond), false},
		{"at the deadline", t0, true},
		{"after", t0.Add(time.Nanosecond), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Expired(tt.now); got != tt.want {
				t.Errorf("Expired(%v) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestTouchDueOncePerInterval(t *testing.T) {
	const interval = time.Minute
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"same instant", t0, false},
		{"one ns short", t0.Add(interval - time.Nanosecond), false},
		{"exactly one interval", t0.Add(interval), true},
		{"later", t0.Add(time.Hour), true},
		{"clock went back", t0.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.TouchDue(t0, tt.now, interval); got != tt.want {
				t.Errorf("TouchDue(t0, %v, %v) = %v, want %v", tt.now, interval, got, tt.want)
			}
		})
	}
}

func TestTruncateUserAgent(t *testing.T) {
	limit := domain.MaxUserAgentLength
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"short", "Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (X11; Linux x86_64)"},
		{"exactly the limit", strings.Repeat("a", limit), strings.Repeat("a", limit)},
		{"one byte over", strings.Repeat("a", limit+1), strings.Repeat("a", limit)},
		{"long ascii", strings.Repeat("a", 1000), strings.Repeat("a", limit)},
		{"two-byte runes ending on the limit", strings.Repeat("é", limit), strings.Repeat("é", limit/2)},
		{"two-byte rune across the limit", "a" + strings.Repeat("é", limit), "a" + strings.Repeat("é", (limit-2)/2)},
		{"four-byte rune across the limit", "ab" + strings.Repeat("😀", limit/4), "ab" + strings.Repeat("😀", limit/4-1)},
		{"invalid UTF-8 removed", "Mozilla\xff/5.0\xc3", "Mozilla/5.0"},
		{"invalid bytes removed before cutting", strings.Repeat("\xff", 10) + strings.Repeat("a", limit), strings.Repeat("a", limit)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.TruncateUserAgent(tt.in)
			if got != tt.want {
				t.Errorf("TruncateUserAgent(%.40q...) = %.40q... (%d bytes), want %.40q... (%d bytes)", tt.in, got, len(got), tt.want, len(tt.want))
			}
			if len(got) > limit || !utf8.ValidString(got) {
				t.Errorf("result has %d bytes, valid UTF-8 %v; want at most %d bytes of valid UTF-8", len(got), utf8.ValidString(got), limit)
			}
		})
	}
}

func TestSessionBindingMismatch(t *testing.T) {
	s := domain.Session{IP: "192.0.2.1", UserAgent: "Firefox"}
	tests := []struct {
		name      string
		bind      domain.SessionBinding
		ip, agent string
		mismatch  bool
	}{
		{"off accepts anything", domain.SessionBinding{}, "198.51.100.1", "curl", false},
		{"ip: same address", domain.SessionBinding{IP: true}, "192.0.2.1", "curl", false},
		{"ip: other address", domain.SessionBinding{IP: true}, "198.51.100.1", "Firefox", true},
		{"ua: same agent", domain.SessionBinding{UserAgent: true}, "198.51.100.1", "Firefox", false},
		{"ua: other agent", domain.SessionBinding{UserAgent: true}, "192.0.2.1", "curl", true},
		{"both: one differs", domain.SessionBinding{IP: true, UserAgent: true}, "192.0.2.1", "curl", true},
		{"both: same client", domain.SessionBinding{IP: true, UserAgent: true}, "192.0.2.1", "Firefox", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.bind.Mismatch(s, tt.ip, tt.agent); got != tt.mismatch {
				t.Errorf("Mismatch = %v, want %v", got, tt.mismatch)
			}
		})
	}
}

func TestSessionBindingComparesTheStoredTruncation(t *testing.T) {
	long := strings.Repeat("a", domain.MaxUserAgentLength+50)
	s := domain.Session{UserAgent: domain.TruncateUserAgent(long)}
	if (domain.SessionBinding{UserAgent: true}).Mismatch(s, "", long) {
		t.Error("a long User-Agent does not match its own stored truncation")
	}
}
