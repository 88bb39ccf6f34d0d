package domain

import "net/netip"

// DefaultIPv6Prefix is how many leading bits of an IPv6 address name one client for a limit:
// a /64 is the smallest network an ISP hands a customer (RFC 6177), and every address in it is
// one attacker's to use, so a limit per /128 would give each attacker 2^64 budgets.
const DefaultIPv6Prefix = 64

// ClientNetwork names the network a client address is counted under by per-address limits:
// an IPv4 address is itself, an IPv6 address is its prefix of v6Bits bits ("2001:db8::/64"),
// and an IPv4-mapped IPv6 address is the IPv4 address it maps. Anything that is not an
// address is returned unchanged, so it is still a key of its own.
func ClientNetwork(ip string, v6Bits int) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() || v6Bits >= 128 || v6Bits <= 0 {
		return addr.String()
	}
	p, err := addr.Prefix(v6Bits)
	if err != nil {
		return addr.String()
	}
	return p.String()
}
