package domain_test

import (
	"fmt"

	"github.com/gatehouse/gatehouse/domain"
)

// OriginPolicy lets a browser's unsafe request through from its own site or a trusted one.
func ExampleOriginPolicy_Check() {
	policy := domain.OriginPolicy{Trusted: []string{"https://app.example.com"}, HTTPSOnly: true}
	host := "auth.example.com"
	for _, r := range []domain.CrossOriginRequest{
		{Method: "POST", Host: host, FetchSite: "same-origin"},
		{Method: "POST", Host: host, FetchSite: "cross-site", Origin: "https://evil.example"},
		{Method: "POST", Host: host, FetchSite: "same-site", Origin: "https://app.example.com"},
		{Method: "GET", Host: host, FetchSite: "cross-site", Origin: "https://evil.example"},
		// An older browser without Sec-Fetch-Site: its Origin decides, https:// only.
		{Method: "POST", Host: host, Origin: "http://auth.example.com"},
		// No header at all: not a browser (curl), or one told to send no Referer.
		{Method: "POST", Host: host},
	} {
		fmt.Println(policy.Check(r))
	}
	// Output:
	// <nil>
	// CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.
	// <nil>
	// <nil>
	// CSRF Failed: Origin checking failed - http://auth.example.com does not match any trusted origins.
	// <nil>
}

// ClientNetwork counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4.
func ExampleClientNetwork() {
	for _, ip := range []string{
		"203.0.113.7",
		"2001:db8:1:2:aaaa:bbbb:cccc:dddd",
		"2001:db8:1:2::1",
		"::ffff:203.0.113.7",
		"not an address",
	} {
		fmt.Println(domain.ClientNetwork(ip, domain.DefaultIPv6Prefix))
	}
	// Output:
	// 203.0.113.7
	// 2001:db8:1:2::/64
	// 2001:db8:1:2::/64
	// 203.0.113.7
	// not an address
}

// ParseRate reads DRF's rate strings, where only the first letter of the period counts.
func ExampleParseRate() {
	for _, s := range []string{"5/min", "100/minute", "20/hour", "1000/day", "10/s", "off", "5/week"} {
		r, err := domain.ParseRate(s)
		switch {
		case err != nil:
			fmt.Println(err) // it names the input
		case r.Off():
			fmt.Printf("%s: no limit\n", s)
		default:
			fmt.Printf("%s: %v, one every %v\n", s, r, r.Interval())
		}
	}
	// Output:
	// 5/min: 5/min, one every 12s
	// 100/minute: 100/min, one every 600ms
	// 20/hour: 20/hour, one every 3m0s
	// 1000/day: 1000/day, one every 1m26.4s
	// 10/s: 10/s, one every 100ms
	// off: no limit
	// rate "5/week": the period must be s, min, hour or day
}
