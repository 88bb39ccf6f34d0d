// Package webauthn runs the WebAuthn (passkey) ceremonies for the use cases
// (ports.PasskeyCeremonies) on github.com/go-webauthn/webauthn: attestation and assertion
// parsing, origin and relying-party checks, signatures and counters. It holds no state: a
// ceremony's state travels in the stores, so any instance finishes what another began.
package webauthn

import (
	"net"
	"net/url"
	"strings"
)

// Config names the relying party: the site passkeys are bound to.
type Config struct {
	// RPID is the site's domain (GATEHOUSE_WEBAUTHN_RP_ID): a passkey works on it and its
	// subdomains only. Empty turns passkeys off.
	RPID string
	// Origins are the pages' origins the ceremonies may come from
	// (GATEHOUSE_WEBAUTHN_ORIGINS); empty means DefaultOrigins.
	Origins []string
}

// DefaultOrigins are the origins a relying party ID implies when none are configured: the
// https site of that name, and for localhost the plain-HTTP development server on port.
func DefaultOrigins(rpID, port string) []string {
	if rpID == "localhost" {
		return []string{"http://localhost:" + port}
	}
	return []string{"https://" + rpID}
}

// ValidRPID reports whether id can name a relying party: a host name without scheme, port
// or path.
func ValidRPID(id string) bool {
	if id == "" || strings.ContainsAny(id, ":/?#@ ") || net.ParseIP(id) != nil {
		return false
	}
	u, err := url.Parse("https://" + id)
	return err == nil && u.Hostname() == id
}

// OriginMatches reports whether origin lies on rpID or a subdomain of it, as WebAuthn
// requires of every origin a relying party accepts.
func OriginMatches(origin, rpID string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == rpID || strings.HasSuffix(h, "."+rpID)
}
