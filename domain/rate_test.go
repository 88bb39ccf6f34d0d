package domain_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

func TestParseRateAcceptsDRFRates(t *testing.T) {
	tests := []struct {
		in   string
		want domain.Rate
	}{
		{"5/min", domain.Rate{Events: 5, Per: time.Minute}},
		{"100/minute", domain.Rate{Events: 100, Per: time.Minute}},
		{"20/hour", domain.Rate{Events: 20, Per: time.Hour}},
		{"1000/day", domain.Rate{Events: 1000, Per: 24 * time.Hour}},
		{"10/s", domain.Rate{Events: 10, Per: time.Second}},
		{"10/sec", domain.Rate{Events: 10, Per: time.Second}},
		{"3/m", domain.Rate{Events: 3, Per: time.Minute}},
		{"3/Hour", domain.Rate{Events: 3, Per: time.Hour}},
		{" 5/min ", domain.Rate{Events: 5, Per: time.Minute}},
		{"off", domain.Rate{}},
		{"OFF", domain.Rate{}},
		{"none", domain.Rate{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := domain.ParseRate(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseRate(%q) = %+v, %v; want %+v, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRateRejectsMalformedRates(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"no period", "5"},
		{"zero events", "0/min"},
		{"negative events", "-1/min"},
		{"unknown period", "5/fortnight"},
		{"events not a number", "x/min"},
		{"empty period", "5/"},
		{"empty events", "/min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseRate(tt.in)
			if err == nil {
				t.Fatalf("ParseRate(%q) = %+v, nil; want an error", tt.in, got)
			}
		})
	}
}

func TestRateOff(t *testing.T) {
	tests := []struct {
		name string
		rate domain.Rate
		want bool
	}{
		{"zero rate", domain.Rate{}, true},
		{"no events", domain.Rate{Per: time.Minute}, true},
		{"no period", domain.Rate{Events: 5}, true},
		{"negative events", domain.Rate{Events: -1, Per: time.Minute}, true},
		{"negative period", domain.Rate{Events: 5, Per: -time.Minute}, true},
		{"limit", domain.Rate{Events: 5, Per: time.Minute}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rate.Off(); got != tt.want {
				t.Errorf("%+v.Off() = %v, want %v", tt.rate, got, tt.want)
			}
		})
	}
}

func TestRateInterval(t *testing.T) {
	tests := []struct {
		rate domain.Rate
		want time.Duration
	}{
		{domain.Rate{Events: 5, Per: time.Minute}, 12 * time.Second},
		{domain.Rate{Events: 100, Per: time.Minute}, 600 * time.Millisecond},
		{domain.Rate{Events: 20, Per: time.Hour}, 3 * time.Minute},
		{domain.Rate{Events: 1000, Per: 24 * time.Hour}, 86400 * time.Millisecond},
		{domain.Rate{Events: 3, Per: time.Second}, 333333333 * time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.rate.String(), func(t *testing.T) {
			if got := tt.rate.Interval(); got != tt.want {
				t.Errorf("%+v.Interval() = %v, want %v", tt.rate, got, tt.want)
			}
		})
	}
}

func TestRateString(t *testing.T) {
	tests := []struct {
		rate domain.Rate
		want string
	}{
		{domain.Rate{}, "off"},
		{domain.Rate{Events: 5}, "off"},
		{domain.Rate{Events: 5, Per: time.Minute}, "5/min"},
		{domain.Rate{Events: 20, Per: time.Hour}, "20/hour"},
		{domain.Rate{Events: 10, Per: time.Second}, "10/s"},
		{domain.Rate{Events: 1000, Per: 24 * time.Hour}, "1000/day"},
		{domain.Rate{Events: 3, Per: 90 * time.Second}, "3 per 1m30s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := tt.rate.String()
			if got != tt.want {
				t.Errorf("%+v.String() = %q, want %q", tt.rate, got, tt.want)
			}
			if back, err := domain.ParseRate(got); err == nil && back != tt.rate && !tt.rate.Off() {
				t.Errorf("ParseRate(%q) = %+v, want the rate back", got, back)
			}
		})
	}
}
