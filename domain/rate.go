package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is a limit of Events per Per, in the manner of DRF's throttle rates. The zero Rate
// is no limit at all.
type Rate struct {
	Events int
	Per    time.Duration
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.Events <= 0 || r.Per <= 0 }

// Interval is the steady-state spacing of events the rate allows: Per / Events; 0 when Off.
func (r Rate) Interval() time.Duration {
	if r.Off() {
		return 0
	}
	return r.Per / time.Duration(r.Events)
}

// String writes the rate as ParseRate reads it.
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	switch r.Per {
	case time.Second:
		return fmt.Sprintf("%d/s", r.Events)
	case time.Minute:
		return fmt.Sprintf("%d/min", r.Events)
	case time.Hour:
		return fmt.Sprintf("%d/hour", r.Events)
	case 24 * time.Hour:
		return fmt.Sprintf("%d/day", r.Events)
	}
	return fmt.Sprintf("%d per %s", r.Events, r.Per)
}

// ParseRate reads a rate as DRF writes it: "5/min", "100/minute", "20/hour", "1000/day",
// "10/s" (only the first letter of the period counts, as in DRF), or "off" for no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "off" || s == "none" {
		return Rate{}, nil
	}
	num, period, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n <= 0 || period == "" {
		return Rate{}, fmt.Errorf("rate %q: want N/period such as 5/min, or off", s)
	}
	per, ok := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[period[0]]
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: the period must be s, min, hour or day", s)
	}
	return Rate{Events: n, Per: per}, nil
}
