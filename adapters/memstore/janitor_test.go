package memstore_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
)

// sweepFunc makes a function a memstore.Sweeper.
type sweepFunc func() int

func (f sweepFunc) Sweep() int { return f() }

func TestJanitorSweepsUntilStopped(t *testing.T) {
	tokens := kind{name: "tokens", noExpiry: true, open: openTokens}
	s, clock := tokens.openWith(t, newCred("short", 1, t0, time.Minute), newCred("forever", 1, t0, 0))
	clock.Advance(time.Minute)
	var calls, swept atomic.Int64
	stop := memstore.StartJanitor(time.Millisecond, sweepFunc(func() int {
		calls.Add(1)
		n := s.sweep()
		swept.Add(int64(n))
		return n
	}))
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("janitor did not sweep within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	stop() // a second stop is harmless
	if n := swept.Load(); n != 1 {
		t.Errorf("janitor swept %d tokens, want 1", n)
	}
	after := calls.Load()
	time.Sleep(20 * time.Millisecond)
	if n := calls.Load(); n != after {
		t.Errorf("janitor swept %d times after stop returned", n-after)
	}
}
