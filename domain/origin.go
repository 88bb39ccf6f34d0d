package domain

import (
	"net/url"
	"strings"
)

// OriginPolicy decides whether a browser may have sent an unsafe request from another site:
// the one cross-origin rule of every path that a forged cross-site form or fetch could reach
// with the victim's browser. It follows Go's net/http.CrossOriginProtection (the fetch
// metadata, then the Origin header) and Django's CsrfViewMiddleware (trusted origins, the
// Referer when there is no Origin), as the OWASP CSRF cheat sheet's "Verifying Origin With
// Standard Headers" and "Fetch Metadata" sections recommend.
//
// Which requests it judges is the caller's choice; Gatehouse asks it about
//
//   - API requests authenticated by something a browser sends on its own: a session or token
//     cookie, or Basic credentials it remembers from a prompt. Cookies also need their
//     X-CSRFToken; Basic has no token, so this policy is its only CSRF guard;
//   - POST /v1/auth/login, which sets a session (login CSRF: a forged form must not log the
//     victim's browser into the attacker's account);
//   - every form of the pages, which also carry a CSRF token.
//
// It never judges requests with a Token header, which no browser sends by itself, nor the
// JSON-only signup and token routes, which no cross-site form can reach.
type OriginPolicy struct {
	// Trusted lists the origins (scheme://host[:port]) besides the server's own from which a
	// browser may send these requests.
	Trusted []string
	// HTTPSOnly makes the server's own origin https:// alone: when cookies are Secure the
	// site is served over HTTPS, and a page on http:// for the same host is a network
	// attacker's, not ours (RFC 6265bis §8.6 on weak integrity between schemes).
	HTTPSOnly bool
}

// CrossOriginRequest is what OriginPolicy.Check reads of a request: its method (for the
// forward-authentication route, the original request's), the Host it was sent to, and the
// Origin, Referer and Sec-Fetch-Site header values ("" when absent).
type CrossOriginRequest struct {
	Method, Host, Origin, Referer, FetchSite string
}

// Check returns nil when r may pass and a *CSRFError saying why not otherwise:
//
//   - safe methods pass (RFC 9110 §9.2.1);
//   - Sec-Fetch-Site same-origin or none (typed in, a bookmark) passes; any other value
//     (cross-site, same-site) passes only from a trusted Origin. Every current browser sends
//     the header (Safari since 16.4, 2023);
//   - without it, an older browser's Origin must be the server's own (by Host, and https://
//     only when HTTPSOnly) or trusted; "null" (an opaque origin) is neither;
//   - without Origin either, a Referer, when sent, must name the server's own or a trusted
//     origin, as Django checks it: browsers that predate Origin send it, and the pages' own
//     Referrer-Policy: same-origin keeps it whole;
//   - with none of the three the request passes: it comes from a client that is not a
//     browser (curl sends none), or a browser told to send no Referer. The CSRF token of
//     cookies and forms still has to match.
func (p OriginPolicy) Check(r CrossOriginRequest) error {
	if !Unsafe(r.Method) {
		return nil
	}
	switch r.FetchSite {
	case "same-origin", "none":
		return nil
	case "":
	default:
		if r.Origin != "" && p.Trusts(r.Origin) {
			return nil
		}
		return originFailed(r.Origin)
	}
	if r.Origin != "" {
		if !p.ours(r.Origin, r.Host) {
			return originFailed(r.Origin)
		}
		return nil
	}
	if r.Referer == "" {
		return nil
	}
	u, err := url.Parse(r.Referer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &CSRFError{Reason: "Referer checking failed - Referer is malformed."}
	}
	if origin := u.Scheme + "://" + u.Host; !p.ours(origin, r.Host) {
		return &CSRFError{Reason: "Referer checking failed - " + origin + " does not match any trusted origins."}
	}
	return nil
}

// originFailed is Django's message for an Origin it does not trust.
func originFailed(origin string) error {
	if origin == "" {
		return &CSRFError{Reason: "Origin checking failed - the browser sent it from another site, without Origin."}
	}
	return &CSRFError{Reason: "Origin checking failed - " + origin + " does not match any trusted origins."}
}

// ours reports whether origin is the server's own, addressed as host, or a trusted one.
func (p OriginPolicy) ours(origin, host string) bool {
	if host != "" {
		if strings.EqualFold(origin, "https://"+host) || !p.HTTPSOnly && strings.EqualFold(origin, "http://"+host) {
			return true
		}
	}
	return p.Trusts(origin)
}

// Trusts reports whether origin is one of the configured trusted origins. Host names are
// case-insensitive, and an operator may have written one in capitals. With HTTPSOnly an
// http:// origin is never trusted: a page served in clear can be rewritten on the way.
// Only exact origins match: no wildcard, no "null".
func (p OriginPolicy) Trusts(origin string) bool {
	if p.HTTPSOnly && !hasPrefixFold(origin, "https://") {
		return false
	}
	for _, t := range p.Trusted {
		if strings.EqualFold(origin, t) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
