package ginhttp_test

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
)

const (
	xff       = ginhttp.HeaderXForwardedFor
	realIP    = ginhttp.HeaderXRealIP
	forwarded = ginhttp.HeaderForwarded
)

// trustedForTest trusts a private IPv4 range, one IPv6 range and the loopback address.
var trustedForTest = mustTrust("10.0.0.0/8", "2001:db8:ffff::/48", "127.0.0.1")

func mustTrust(list ...string) []netip.Prefix {
	p, err := ginhttp.ParseTrustedProxies(list)
	if err != nil {
		panic(err)
	}
	return p
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name   string
		peer   string
		header string
		values []string
		want   string
	}{
		// The peer.
		{"untrusted peer, no header", "192.0.2.7", xff, nil, "192.0.2.7"},
		{"untrusted peer's header is not read", "192.0.2.7", xff, []string{"198.51.100.1"}, "192.0.2.7"},
		{"untrusted peer's X-Real-IP is not read", "192.0.2.7", realIP, []string{"198.51.100.1"}, "192.0.2.7"},
		{"trusted peer without the header is the client", "10.0.0.1", xff, nil, "10.0.0.1"},
		{"mapped peer is unmapped", "::ffff:192.0.2.7", xff, nil, "192.0.2.7"},
		{"mapped peer matches an IPv4 range", "::ffff:10.0.0.1", xff, []string{"198.51.100.1"}, "198.51.100.1"},
		{"zoned peer loses its zone", "fe80::1%eth0", xff, nil, "fe80::1"},
		{"IPv6 peer in canonical form", "2001:DB8:0:0:0:0:0:7", xff, nil, "2001:db8::7"},

		// X-Forwarded-For.
		{"one hop", "10.0.0.1", xff, []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left entries lose", "10.0.0.1", xff, []string{"6.6.6.6, 7.7.7.7, 198.51.100.1"}, "198.51.100.1"},
		{"trusted hops are stepped past", "10.0.0.1", xff, []string{"6.6.6.6, 198.51.100.1, 10.9.9.9, 10.8.8.8"}, "198.51.100.1"},
		{"all trusted: the leftmost", "10.0.0.1", xff, []string{"10.3.3.3, 10.2.2.2"}, "10.3.3.3"},
		{"several lines are one list", "10.0.0.1", xff, []string{"6.6.6.6, 198.51.100.1", "10.2.2.2"}, "198.51.100.1"},
		{"the last line is the nearest", "10.0.0.1", xff, []string{"10.2.2.2", "198.51.100.1"}, "198.51.100.1"},
		{"no spaces", "10.0.0.1", xff, []string{"6.6.6.6,198.51.100.1"}, "198.51.100.1"},
		{"IPv6 hop", "10.0.0.1", xff, []string{"2001:DB8::1"}, "2001:db8::1"},
		{"IPv6 hop in brackets with a port", "10.0.0.1", xff, []string{"[2001:db8::1]:4711"}, "2001:db8::1"},
		{"IPv4 hop with a port", "10.0.0.1", xff, []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{"mapped hop is unmapped", "10.0.0.1", xff, []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"mapped trusted hop is stepped past", "10.0.0.1", xff, []string{"198.51.100.1, ::ffff:10.2.2.2"}, "198.51.100.1"},
		{"zoned hop loses its zone", "10.0.0.1", xff, []string{"fe80::1%eth0"}, "fe80::1"},
		{"trusted IPv6 proxy", "2001:db8:ffff::1", xff, []string{"198.51.100.1, 2001:db8:ffff::2"}, "198.51.100.1"},
		{"garbage nearest: the peer", "10.0.0.1", xff, []string{"198.51.100.1, garbage"}, "10.0.0.1"},
		{"garbage behind trusted hops: the nearest trusted hop", "10.0.0.1", xff, []string{"198.51.100.1, garbage, 10.2.2.2"}, "10.2.2.2"},
		{"garbage left of the client is never read", "10.0.0.1", xff, []string{"garbage, 198.51.100.1"}, "198.51.100.1"},
		{"empty entry stops the walk", "10.0.0.1", xff, []string{"198.51.100.1,,10.2.2.2"}, "10.2.2.2"},
		{"empty header line", "10.0.0.1", xff, []string{""}, "10.0.0.1"},
		{"hostname is not an address", "10.0.0.1", xff, []string{"evil.example"}, "10.0.0.1"},
		{"bad port", "10.0.0.1", xff, []string{"198.51.100.1:http"}, "10.0.0.1"},
		{"IPv4 in brackets", "10.0.0.1", xff, []string{"[198.51.100.1]"}, "10.0.0.1"},
		{"unclosed bracket", "10.0.0.1", xff, []string{"[2001:db8::1"}, "10.0.0.1"},
		{"X-Forwarded-For is ignored when X-Real-IP is chosen", "10.0.0.1", realIP, nil, "10.0.0.1"},

		// X-Real-IP.
		{"X-Real-IP", "10.0.0.1", realIP, []string{"198.51.100.1"}, "198.51.100.1"},
		{"X-Real-IP with spaces", "10.0.0.1", realIP, []string{" 198.51.100.1 "}, "198.51.100.1"},
		{"X-Real-IP IPv6", "10.0.0.1", realIP, []string{"2001:db8::1"}, "2001:db8::1"},
		{"X-Real-IP naming a trusted proxy", "10.0.0.1", realIP, []string{"10.2.2.2"}, "10.2.2.2"},
		{"X-Real-IP list falls back to the peer", "10.0.0.1", realIP, []string{"6.6.6.6, 198.51.100.1"}, "10.0.0.1"},
		{"two X-Real-IP lines fall back to the peer", "10.0.0.1", realIP, []string{"6.6.6.6", "198.51.100.1"}, "10.0.0.1"},
		{"malformed X-Real-IP falls back to the peer", "10.0.0.1", realIP, []string{"unknown"}, "10.0.0.1"},

		// Forwarded (RFC 7239).
		{"Forwarded", "10.0.0.1", forwarded, []string{"for=198.51.100.1"}, "198.51.100.1"},
		{"Forwarded with other parameters", "10.0.0.1", forwarded, []string{"for=198.51.100.1;proto=https;by=10.0.0.1"}, "198.51.100.1"},
		{"Forwarded parameter names are case-insensitive", "10.0.0.1", forwarded, []string{"proto=https;For=198.51.100.1"}, "198.51.100.1"},
		{"Forwarded spoofed left element loses", "10.0.0.1", forwarded, []string{"for=6.6.6.6, for=198.51.100.1"}, "198.51.100.1"},
		{"Forwarded quoted IPv6 with a port", "10.0.0.1", forwarded, []string{`for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"Forwarded quoted IPv4", "10.0.0.1", forwarded, []string{`for="198.51.100.1"`}, "198.51.100.1"},
		{"Forwarded obfuscated port", "10.0.0.1", forwarded, []string{`for="198.51.100.1:_p1"`}, "198.51.100.1"},
		{"Forwarded lines are one list", "10.0.0.1", forwarded, []string{"for=6.6.6.6", "for=198.51.100.1, for=10.2.2.2"}, "198.51.100.1"},
		{"Forwarded trusted chain", "10.0.0.1", forwarded, []string{`for=198.51.100.1, for="[2001:db8:ffff::2]"`}, "198.51.100.1"},
		{"Forwarded comma inside quotes", "10.0.0.1", forwarded, []string{`for=198.51.100.1;x="a,b", for=10.2.2.2`}, "198.51.100.1"},
		{"Forwarded unknown stops the walk", "10.0.0.1", forwarded, []string{"for=198.51.100.1, for=unknown, for=10.2.2.2"}, "10.2.2.2"},
		{"Forwarded obfuscated node stops the walk", "10.0.0.1", forwarded, []string{"for=198.51.100.1, for=_hidden"}, "10.0.0.1"},
		{"Forwarded element without for stops the walk", "10.0.0.1", forwarded, []string{"for=198.51.100.1, proto=https"}, "10.0.0.1"},
		{"Forwarded unquoted IPv6 in brackets is read too", "10.0.0.1", forwarded, []string{"for=[2001:db8::1]:4711"}, "2001:db8::1"},
		{"Forwarded quoted-pair is not an address", "10.0.0.1", forwarded, []string{`for="198.51.100\.1"`}, "10.0.0.1"},
		{"Forwarded unclosed quote on the nearest line", "10.0.0.1", forwarded, []string{"for=198.51.100.1", `for="6.6.6.6, for=10.2.2.2`}, "10.0.0.1"},
		{"Forwarded unclosed quote left of the client", "10.0.0.1", forwarded, []string{`for="6.6.6.6`, "for=198.51.100.1"}, "198.51.100.1"},
		{"Forwarded is not X-Forwarded-For", "10.0.0.1", forwarded, []string{"198.51.100.1"}, "10.0.0.1"},

		{"unknown header reads nothing", "10.0.0.1", "X-Client-Ip", []string{"198.51.100.1"}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ginhttp.ClientIP(netip.MustParseAddr(tt.peer), trustedForTest, tt.header, tt.values)
			if got.String() != tt.want {
				t.Errorf("ClientIP(%s, %s: %q) = %s, want %s", tt.peer, tt.header, tt.values, got, tt.want)
			}
		})
	}
}

func TestClientIPHeader(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"X-Forwarded-For", xff, true},
		{"x-forwarded-for", xff, true},
		{"X-Real-IP", realIP, true},
		{"x-real-ip", realIP, true},
		{"FORWARDED", forwarded, true},
		{"", "", false},
		{"X-Client-IP", "", false},
		{"True-Client-IP", "", false},
	} {
		got, ok := ginhttp.ClientIPHeader(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ClientIPHeader(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // "" for an error
	}{
		{"10.0.0.1", "10.0.0.1/32"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"::ffff:10.0.0.1", "10.0.0.1/32"},
		{"::/64", "::/64"},
		{"::ffff:0:0/95", ""},
		{"fe80::1%eth0", ""},
		{"proxy.example", ""},
		{"10.0.0.0/33", ""},
	} {
		got, err := ginhttp.ParseTrustedProxies([]string{tt.in})
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseTrustedProxies(%q) = %v, want an error", tt.in, got)
		case tt.want != "" && (err != nil || len(got) != 1 || got[0].String() != tt.want):
			t.Errorf("ParseTrustedProxies(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// TestClientIPAllocatesNothing: the rule runs on every request.
func TestClientIPAllocatesNothing(t *testing.T) {
	peer := netip.MustParseAddr("10.0.0.1")
	for _, tt := range []struct {
		header string
		values []string
	}{
		{xff, []string{"6.6.6.6, 198.51.100.1, 10.2.2.2"}},
		{realIP, []string{"198.51.100.1"}},
		{forwarded, []string{`for=6.6.6.6, for="[2001:db8::1]:4711";proto=https, for=10.2.2.2`}},
	} {
		if n := testing.AllocsPerRun(100, func() { ginhttp.ClientIP(peer, trustedForTest, tt.header, tt.values) }); n != 0 {
			t.Errorf("%s: %v allocations, want 0", tt.header, n)
		}
	}
}

func BenchmarkClientIP(b *testing.B) {
	peer := netip.MustParseAddr("10.0.0.1")
	values := []string{"6.6.6.6, 198.51.100.1, 10.2.2.2"}
	for b.Loop() {
		ginhttp.ClientIP(peer, trustedForTest, xff, values)
	}
}

// FuzzClientIP checks that no header makes ClientIP panic or answer an address in another
// form, that an untrusted peer is always the answer, and that X-Forwarded-For, X-Real-IP and
// unquoted Forwarded headers give what a plain split of the header gives. The seed corpus is
// in testdata/fuzz/FuzzClientIP; which picks the header (0 X-Forwarded-For, 1 X-Real-IP,
// 2 Forwarded) and a newline separates header lines.
func FuzzClientIP(f *testing.F) {
	f.Fuzz(func(t *testing.T, peerText string, which uint8, header string) {
		peer, err := netip.ParseAddr(peerText)
		if err != nil {
			return
		}
		name := []string{xff, realIP, forwarded}[int(which)%3]
		var values []string
		if header != "" {
			values = strings.Split(header, "\n")
		}
		got := ginhttp.ClientIP(peer, trustedForTest, name, values)
		if !got.IsValid() || got.Is4In6() || got.Zone() != "" {
			t.Fatalf("ClientIP = %v: not a normalised address", got)
		}
		norm := peer.Unmap().WithZone("")
		if !trusted(norm) {
			if got != norm {
				t.Fatalf("untrusted peer %v: ClientIP = %v", peer, got)
			}
			return
		}
		want, checked := reference(norm, name, values)
		if checked && got != want {
			t.Fatalf("ClientIP(%v, %s: %q) = %v, the plain split gives %v", peer, name, values, got, want)
		}
	})
}

func trusted(a netip.Addr) bool {
	for _, p := range trustedForTest {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// reference is ClientIP for a trusted peer written with strings.Split, for headers without
// quotes (for Forwarded), and reports whether it covers the header.
func reference(peer netip.Addr, name string, values []string) (netip.Addr, bool) {
	var hops []string
	switch name {
	case realIP:
		if len(values) != 1 {
			return peer, true
		}
		if a, ok := node(strings.TrimSpace(values[0])); ok {
			return a, true
		}
		return peer, true
	case xff:
		for _, hop := range strings.Split(strings.Join(values, ","), ",") {
			hops = append(hops, strings.Trim(hop, " \t"))
		}
	case forwarded:
		for _, v := range values {
			if strings.ContainsAny(v, `"\`) {
				return netip.Addr{}, false
			}
		}
		for _, elem := range strings.Split(strings.Join(values, ","), ",") {
			hop := "not an address"
			for _, pair := range strings.Split(elem, ";") {
				if k, v, _ := strings.Cut(strings.TrimSpace(pair), "="); strings.EqualFold(k, "for") {
					hop = v
					break
				}
			}
			hops = append(hops, hop)
		}
	}
	if len(values) == 0 {
		return peer, true
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := node(hops[i])
		if !ok {
			break
		}
		client = a
		if !trusted(a) {
			break
		}
	}
	return client, true
}

// node parses an address with net.SplitHostPort: a bare address, an IPv6 one in brackets, or
// either with a numeric or obfuscated port.
func node(s string) (netip.Addr, bool) {
	host := s
	if h, port, err := net.SplitHostPort(s); err == nil {
		if !validPort(port) || strings.HasPrefix(s, "[") != strings.Contains(h, ":") {
			return netip.Addr{}, false
		}
		host = h
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") && strings.Contains(s, ":") {
		host = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func validPort(p string) bool {
	if rest, ok := strings.CutPrefix(p, "_"); ok {
		return strings.Trim(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
	}
	return len(p) >= 1 && len(p) <= 5 && strings.Trim(p, "0123456789") == ""
}
