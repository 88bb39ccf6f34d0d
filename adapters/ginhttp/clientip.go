package ginhttp

import (
	"fmt"
	"net/netip"
	"net/textproto"
	"strings"
)

// The headers a trusted proxy may name the client in (canonical form). Exactly one is read,
// chosen by configuration: a proxy that sets one header passes the others through from the
// client, so believing a second header would let the client choose its address.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderXRealIP       = "X-Real-Ip"
	HeaderForwarded     = "Forwarded" // RFC 7239
)

// ClientIPHeader returns the canonical form of name when it is one of the headers ClientIP
// reads (X-Forwarded-For, X-Real-IP or Forwarded, in any case), or "" and false.
func ClientIPHeader(name string) (string, bool) {
	switch h := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)); h {
	case HeaderXForwardedFor, HeaderXRealIP, HeaderForwarded:
		return h, true
	}
	return "", false
}

// ParseTrustedProxies parses proxy addresses and CIDR ranges. An address is a range of one;
// IPv4-mapped IPv6 forms are unmapped, since ClientIP compares unmapped addresses.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if a := p.Addr(); a.Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%q mixes IPv4-mapped and plain IPv6 addresses", s)
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ClientIP returns the address a request comes from, given its socket peer, the trusted proxy
// ranges, the one header the proxies name the client in (canonical form: HeaderXForwardedFor,
// HeaderXRealIP or HeaderForwarded) and that header's values, one per header line. It is the
// single rule by which the server attributes a request to a client; throttles, session binding
// and logs all use its answer.
//
// A peer that is not a trusted proxy is the client, and no header is read: anyone can send
// one. From a trusted peer the header's addresses are walked right to left, since each proxy
// appends the address it received the request from and only the right part was written by
// proxies we trust (the left part is whatever the client sent). Each trusted address is
// stepped past; the first untrusted one is the client. The walk also stops at an entry that
// is not an IP address (garbage, an RFC 7239 obfuscated identifier or "unknown", an element
// without for=): we cannot tell who wrote it, so the client is the last address walked past,
// the nearest trusted hop (the peer when the first entry is bad). When every entry is
// trusted, the leftmost is the client. So neither garbage nor anything left of it ever
// wins, and a client can at worst be attributed to a proxy, never to an address it chose.
// X-Real-IP holds one address, set (not appended) by the proxy; several values or a
// malformed one fall back to the peer.
//
// The answer is normalised: an IPv4-mapped IPv6 address is unmapped and a zone dropped, and
// trusted ranges are compared against that form. An invalid peer is returned as it is.
func ClientIP(peer netip.Addr, trusted []netip.Prefix, header string, values []string) netip.Addr {
	peer = normalise(peer)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	w := walk{client: peer, trusted: trusted}
	switch header {
	case HeaderXForwardedFor:
		w.forwardedFor(values)
	case HeaderXRealIP:
		if len(values) == 1 {
			if a, ok := parseNode(strings.Trim(values[0], " \t")); ok {
				w.client = a
			}
		}
	case HeaderForwarded:
		w.forwarded(values)
	}
	return w.client
}

// walk is the state of a right-to-left walk over forwarded addresses.
type walk struct {
	client  netip.Addr // the answer so far: the last address walked past
	trusted []netip.Prefix
}

// step takes the next address from the right, ok false for an entry that is not one, and
// reports whether the walk is over.
func (w *walk) step(a netip.Addr, ok bool) (done bool) {
	if !ok {
		return true
	}
	w.client = a
	return !isTrusted(a, w.trusted)
}

// forwardedFor walks X-Forwarded-For: comma-separated addresses, several header lines
// counting as one list in order (RFC 9110 section 5.3).
func (w *walk) forwardedFor(values []string) {
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for {
			j := strings.LastIndexByte(v, ',')
			if w.step(parseNode(strings.Trim(v[j+1:], " \t"))) {
				return
			}
			if j < 0 {
				break
			}
			v = v[:j]
		}
	}
}

// forwarded walks the for= parameters of RFC 7239 Forwarded elements. Quoted strings can hold
// commas, so each line is split into elements from the left; a line that does not parse ends
// the walk at its bad element, counted from the right.
func (w *walk) forwarded(values []string) {
	var buf [8]string
	for i := len(values) - 1; i >= 0; i-- {
		elems, ok := forwardedElements(values[i], buf[:0])
		if !ok {
			return // the line's rightmost element is the bad one
		}
		for j := len(elems) - 1; j >= 0; j-- {
			if w.step(forwardedFor(elems[j])) {
				return
			}
		}
	}
}

// forwardedElements appends to dst the elements of one Forwarded line, split at the commas
// outside quoted strings, and reports false when the line ends inside a quoted string.
func forwardedElements(line string, dst []string) ([]string, bool) {
	start, quoted := 0, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case quoted && c == '\\':
			i++ // quoted-pair
		case c == '"':
			quoted = !quoted
		case !quoted && c == ',':
			dst = append(dst, line[start:i])
			start = i + 1
		}
	}
	if quoted {
		return dst, false
	}
	return append(dst, line[start:]), true
}

// forwardedFor returns the address of an element's for= parameter. An element without one, a
// value that is not an IP address (obfuscated "_id", "unknown") or a value with a quoted-pair
// is not an address.
func forwardedFor(elem string) (netip.Addr, bool) {
	for elem != "" {
		pair := elem
		if i := indexOutsideQuotes(elem, ';'); i >= 0 {
			pair, elem = elem[:i], elem[i+1:]
		} else {
			elem = ""
		}
		name, value, ok := strings.Cut(strings.Trim(pair, " \t"), "=")
		if !ok || !strings.EqualFold(name, "for") {
			continue
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
			if strings.IndexByte(value, '\\') >= 0 {
				return netip.Addr{}, false
			}
		}
		return parseNode(value)
	}
	return netip.Addr{}, false
}

// indexOutsideQuotes is the index of the first c outside a quoted string in s, or -1.
func indexOutsideQuotes(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case quoted && s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case !quoted && s[i] == c:
			return i
		}
	}
	return -1
}

// parseNode parses one forwarded address, normalised: an IPv4 or IPv6 address, an IPv6 one
// in brackets, either with a port ("192.0.2.1:80", "[2001:db8::1]:4711"), the port numeric or
// obfuscated ("_abc", RFC 7239 section 6.3).
func parseNode(s string) (netip.Addr, bool) {
	host := s
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || !validPort(s[end+1:], true) {
			return netip.Addr{}, false
		}
		host = s[1:end]
		if strings.IndexByte(host, ':') < 0 { // brackets hold IPv6 only
			return netip.Addr{}, false
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 && strings.IndexByte(s[i+1:], ':') < 0 {
		// One colon: IPv4 with a port (IPv6 has at least two).
		if !validPort(s[i:], false) {
			return netip.Addr{}, false
		}
		host = s[:i]
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return normalise(a), true
}

// validPort reports whether p is "" (when optional) or ":" and a port: 1 to 5 digits, or "_"
// and an obfuscated identifier.
func validPort(p string, optional bool) bool {
	if p == "" {
		return optional
	}
	if p[0] != ':' || len(p) < 2 {
		return false
	}
	p = p[1:]
	if p[0] == '_' {
		for i := 1; i < len(p); i++ {
			if c := p[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
		return true
	}
	if len(p) > 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// normalise unmaps an IPv4-mapped IPv6 address and drops a zone, so one client has one text
// form and IPv4 ranges match it.
func normalise(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
