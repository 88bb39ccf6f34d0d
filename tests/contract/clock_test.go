package contract_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/contract"
)

func TestClock(t *testing.T) {
	c := contract.NewClock()
	if got := c.Now(); !got.Equal(contract.Start) || got.Location() != time.UTC || !got.Equal(got.Truncate(time.Microsecond)) {
		t.Fatalf("NewClock().Now() = %v, want %v in UTC at whole microseconds", got, contract.Start)
	}
	c.Advance(90 * time.Minute)
	if got, want := c.Now(), contract.Start.Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("after Advance(90m): Now() = %v, want %v", got, want)
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.FixedZone("CET", 3600))
	c.Set(at)
	if got := c.Now(); !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("after Set(%v): Now() = %v, want the same instant in UTC", at, got)
	}
}
