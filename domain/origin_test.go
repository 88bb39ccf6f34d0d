package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// TestOriginPolicy: one row per rule of OriginPolicy.Check, and one per bullet of issue #14.
func TestOriginPolicy(t *testing.T) {
	trusted := []string{"https://app.example.com", "http://plain.example.com"}
	tests := []struct {
		name      string
		httpsOnly bool
		r         domain.CrossOriginRequest
		reason    string // "" to pass
	}{
		{"safe method, cross-site", false, domain.CrossOriginRequest{Method: "GET", FetchSite: "cross-site", Origin: "https://evil.example"}, ""},
		{"HEAD, foreign Referer", false, domain.CrossOriginRequest{Method: "HEAD", Referer: "https://evil.example/"}, ""},
		{"same-origin fetch", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", FetchSite: "same-origin", Origin: "https://gh.test"}, ""},
		{"typed in", false, domain.CrossOriginRequest{Method: "POST", FetchSite: "none"}, ""},
		{"cross-site, untrusted", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", FetchSite: "cross-site", Origin: "https://evil.example"}, "Origin checking failed - https://evil.example does not"},
		{"same-site, untrusted", false, domain.CrossOriginRequest{Method: "DELETE", Host: "gh.test", FetchSite: "same-site", Origin: "https://a.gh.test"}, "Origin checking failed"},
		{"cross-site, trusted", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", FetchSite: "cross-site", Origin: "https://app.example.com"}, ""},
		{"cross-site, trusted in other case", false, domain.CrossOriginRequest{Method: "POST", FetchSite: "cross-site", Origin: "https://APP.example.com"}, ""},
		{"cross-site without Origin", false, domain.CrossOriginRequest{Method: "POST", FetchSite: "cross-site"}, "without Origin"},
		{"unknown fetch-site value", false, domain.CrossOriginRequest{Method: "POST", FetchSite: "bogus", Origin: "https://gh.test", Host: "gh.test"}, "Origin checking failed"},
		// Issue #14: an older browser (no fetch metadata) posting from another site.
		{"old browser, cross-site Origin", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "https://evil.example"}, "Origin checking failed - https://evil.example does not"},
		{"old browser, opaque Origin", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "null"}, "Origin checking failed - null"},
		{"old browser, own Origin", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "https://gh.test"}, ""},
		{"old browser, own Origin over http", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test:8080", Origin: "http://gh.test:8080"}, ""},
		{"old browser, own Origin other port", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test:8080", Origin: "http://gh.test:9090"}, "Origin checking failed"},
		{"old browser, trusted Origin", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "https://app.example.com"}, ""},
		{"no Host, Origin of nothing", false, domain.CrossOriginRequest{Method: "POST", Origin: "https://"}, "Origin checking failed"},
		// Issue #14: with Secure cookies an http:// Origin for our own host is not ours.
		{"HTTPS only, http Origin", true, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "http://gh.test"}, "Origin checking failed - http://gh.test does not"},
		{"HTTPS only, trusted http Origin", true, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "http://plain.example.com"}, "Origin checking failed - http://plain.example.com does not"},
		{"plain HTTP, trusted http Origin", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "http://plain.example.com"}, ""},
		{"HTTPS only, https Origin", true, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "https://gh.test"}, ""},
		{"HTTPS only, http Referer", true, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "http://gh.test/login"}, "Referer checking failed - http://gh.test does not"},
		// Issue #14: no Origin, so the Referer decides.
		{"Referer from another site", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "https://evil.example/x?y"}, "Referer checking failed - https://evil.example does not"},
		{"Referer ours", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "https://gh.test/login?next=/account"}, ""},
		{"Referer trusted", true, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "https://app.example.com/"}, ""},
		{"Referer malformed", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "://gh.test"}, "Referer is malformed"},
		{"Referer relative", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "/login"}, "Referer is malformed"},
		{"Referer of another scheme", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Referer: "ftp://gh.test/"}, "Referer is malformed"},
		{"Origin wins over Referer", false, domain.CrossOriginRequest{Method: "POST", Host: "gh.test", Origin: "https://gh.test", Referer: "https://evil.example/"}, ""},
		// Clients that are not browsers send none of the headers.
		{"curl", true, domain.CrossOriginRequest{Method: "POST", Host: "gh.test"}, ""},
		{"no method named (verify)", false, domain.CrossOriginRequest{Host: "gh.test", Origin: "https://evil.example"}, "Origin checking failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.OriginPolicy{Trusted: trusted, HTTPSOnly: tt.httpsOnly}.Check(tt.r)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var csrf *domain.CSRFError
			if !errors.As(err, &csrf) || !strings.Contains(csrf.Reason, tt.reason) {
				t.Fatalf("Check = %v, want a CSRFError saying %q", err, tt.reason)
			}
		})
	}
}
