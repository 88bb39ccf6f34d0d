package domain_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// FuzzOriginPolicy: whatever the headers, Check never panics, answers nil or a CSRFError,
// and never lets an unsafe request through whose browser marked it cross-site, or whose
// Origin or Referer names a host that is neither the request's own nor trusted.
func FuzzOriginPolicy(f *testing.F) {
	trusted := "https://app.example.com"
	f.Fuzz(func(t *testing.T, method, host, origin, referer, fetchSite string, httpsOnly bool) {
		p := domain.OriginPolicy{Trusted: []string{trusted}, HTTPSOnly: httpsOnly}
		err := p.Check(domain.CrossOriginRequest{Method: method, Host: host, Origin: origin, Referer: referer, FetchSite: fetchSite})
		if err != nil {
			var csrf *domain.CSRFError
			if !errors.As(err, &csrf) || csrf.Reason == "" {
				t.Fatalf("Check = %#v, want a CSRFError with a reason", err)
			}
			if !domain.Unsafe(method) {
				t.Fatalf("safe method %q refused: %v", method, err)
			}
			return
		}
		if !domain.Unsafe(method) || fetchSite == "same-origin" || fetchSite == "none" {
			return
		}
		isTrusted := strings.EqualFold(origin, trusted)
		if fetchSite != "" {
			if !isTrusted {
				t.Fatalf("passed a %q request from untrusted Origin %q", fetchSite, origin)
			}
			return
		}
		ours := func(o string) bool {
			if strings.EqualFold(o, trusted) {
				return true
			}
			// The server's own origin, exactly: its Host behind https:// (or http://).
			return host != "" && (strings.EqualFold(o, "https://"+host) || !httpsOnly && strings.EqualFold(o, "http://"+host))
		}
		switch {
		case origin != "":
			if !ours(origin) {
				t.Fatalf("passed Origin %q for Host %q (HTTPS only %v)", origin, host, httpsOnly)
			}
		case referer != "":
			u, err := url.Parse(referer)
			if err != nil || !ours(u.Scheme+"://"+u.Host) {
				t.Fatalf("passed Referer %q for Host %q (HTTPS only %v)", referer, host, httpsOnly)
			}
		}
	})
}

// FuzzFormToken: a form token passes only with the very token the keys sign for its nonce
// (a made-up pair never does), and checking never panics whatever the cookie and field hold.
func FuzzFormToken(f *testing.F) {
	keys := domain.NewServerKeys(key(1), key(2))
	f.Fuzz(func(t *testing.T, nonce, token string) {
		err := keys.CheckFormToken(nonce, token)
		if err != nil {
			var csrf *domain.CSRFError
			if !errors.As(err, &csrf) {
				t.Fatalf("CheckFormToken = %#v, want a CSRFError", err)
			}
			if domain.ValidFormNonce(nonce) && token == keys.FormToken(nonce) {
				t.Fatalf("refused the genuine token of nonce %q: %v", nonce, err)
			}
			return
		}
		if !domain.ValidFormNonce(nonce) {
			t.Fatalf("accepted malformed nonce %q", nonce)
		}
		if token != keys.FormToken(nonce) && token != domain.NewServerKeys(key(2)).FormToken(nonce) {
			t.Fatalf("accepted token %q for nonce %q, which no key signed", token, nonce)
		}
	})
}
