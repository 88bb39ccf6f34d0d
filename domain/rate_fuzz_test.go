package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// FuzzParseRate: ParseRate never panics; what it accepts is "off" or a positive number of
// events per one of DRF's four periods, and writing the rate back gives the same rate.
func FuzzParseRate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		r, err := domain.ParseRate(s)
		if err != nil {
			if r != (domain.Rate{}) {
				t.Fatalf("ParseRate(%q) = %+v with error %v; want the zero Rate", s, r, err)
			}
			return
		}
		if r.Off() {
			if r != (domain.Rate{}) {
				t.Fatalf("ParseRate(%q) = %+v, an Off rate that is not the zero Rate", s, r)
			}
			if w := strings.TrimSpace(strings.ToLower(s)); w != "off" && w != "none" {
				t.Fatalf("ParseRate(%q) = off for something other than off or none", s)
			}
			return
		}
		if r.Events <= 0 || r.Per <= 0 {
			t.Fatalf("ParseRate(%q) = %+v; want Events > 0 and Per > 0", s, r)
		}
		switch r.Per {
		case time.Second, time.Minute, time.Hour, 24 * time.Hour:
		default:
			t.Fatalf("ParseRate(%q) = %+v: Per is not a standard period", s, r)
		}
		if iv := r.Interval(); iv < 0 || iv > r.Per {
			t.Fatalf("ParseRate(%q) = %+v: Interval %v outside [0, Per]", s, r, iv)
		}
		again, err := domain.ParseRate(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRate(%q) = %+v, written %q, which parses to %+v, %v", s, r, r.String(), again, err)
		}
	})
}
