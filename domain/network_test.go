package domain_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestClientNetwork(t *testing.T) {
	tests := []struct {
		ip   string
		bits int
		want string
	}{
		{"192.0.2.7", 64, "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", 64, "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", 64, "2001:db8:1:3::/64"},
		{"2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::/48"},
		{"2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6"},
		{"2001:DB8::1", 64, "2001:db8::/64"},
		{"fe80::1%eth0", 64, "fe80::/64"},
		{"::ffff:192.0.2.7", 64, "192.0.2.7"},
		{"::1", 64, "::/64"},
		{"", 64, ""},
		{"not an address", 64, "not an address"},
	}
	for _, tt := range tests {
		if got := domain.ClientNetwork(tt.ip, tt.bits); got != tt.want {
			t.Errorf("ClientNetwork(%q, %d) = %q, want %q", tt.ip, tt.bits, got, tt.want)
		}
	}
}
